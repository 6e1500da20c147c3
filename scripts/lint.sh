#!/usr/bin/env bash
# `npm run lint`: the types (tsc), the formatter and linter (Biome: biome.json), and every shell
# program under src/ (shellcheck). CI runs it before the tests (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.json --noEmit
npx biome check .
mapfile -t shell < <(git ls-files 'src/*.sh' 'scripts/*.sh' '.ci/*')
shellcheck "${shell[@]}"
echo "lint: types, Biome and shellcheck (${#shell[@]} shell programs) pass"
