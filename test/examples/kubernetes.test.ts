import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { EXIT } from '../../src/cli/exit-code.js';
import { resolveInventory } from '../../src/inventory/load-inventory.js';
import { parseSource } from '../../src/inventory/source.js';
import { cliUse, list, obj, type Obj } from './example-parts.js';
import { knownHostsName, matchHost, parseKnownHosts } from '../../src/transport/openssh/known-hosts.js';

/**
 * examples/kubernetes: every manifest validated against the Kubernetes OpenAPI schema (the
 * kubernetes-models package's validators), unknown fields refused as the API server's strict field
 * validation does; the inventory through cnet-remote's own loader; the Dockerfile with
 * dockerfile-utils; the shell with shellcheck and sh; and the numbers, names and paths that must agree.
 */

const dir = fileURLToPath(new URL('../../examples/kubernetes/', import.meta.url));
const read = (name: string) => readFileSync(join(dir, name), 'utf8');

const at = (v: unknown, ...path: (string | number)[]): unknown => path.reduce<unknown>((o, k) => (typeof k === 'number' ? list(o)[k] : obj(o)[k]), v);

/** The documents of a manifest, as kubectl reads YAML (1.1); a YAML error or warning fails. */
function documents(text: string): Obj[] {
  return parseAllDocuments(text, { version: '1.1' }).map((d) => {
    expect([...d.errors, ...d.warnings].map((e) => e.message)).toEqual([]);
    return obj(d.toJS());
  });
}

const kustomization = obj(documents(read('kustomization.yaml'))[0]);
const resources = list(kustomization.resources).map(String);
const manifests = new Map(resources.map((f) => [f, documents(read(f))]));
const allDocs = [...manifests.values()].flat();
const byName = (kind: string, name: string): Obj => {
  const d = allDocs.find((x) => x.kind === kind && at(x, 'metadata', 'name') === name);
  if (!d) throw new Error(`no ${kind} ${name} in ${resources.join(', ')}`);
  return d;
};
const upJob = byName('Job', 'cnet-remote-up');
const mergeJob = byName('Job', 'cnet-remote-merge');
const inventoryMap = byName('ConfigMap', 'cnet-remote-inventory');
const pvc = byName('PersistentVolumeClaim', 'cnet-remote-results');

interface Model {
  validate(): void;
}

/** The kubernetes-models modules of the apiVersions the example uses (`batch/v1`: kubernetes-models/batch/v1). */
const API_VERSIONS: Record<string, () => Promise<unknown>> = {
  v1: () => import('kubernetes-models/v1'),
  'batch/v1': () => import('kubernetes-models/batch/v1'),
};

/** The kubernetes-models class of a document, by its apiVersion and kind. */
async function modelOf(doc: Obj): Promise<Model> {
  const { apiVersion, kind } = doc;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') throw new Error('a document without apiVersion and kind');
  const load = API_VERSIONS[apiVersion];
  if (!load) throw new Error(`apiVersion ${apiVersion}: add kubernetes-models/${apiVersion} to API_VERSIONS`);
  const Ctor = ((await load()) as Record<string, new (data: Obj) => Model>)[kind];
  if (!Ctor) throw new Error(`kubernetes-models/${apiVersion} has no kind ${kind}`);
  return new Ctor(doc);
}

/**
 * What the schema says is wrong with a document: its errors, then every field it does not know.
 * The OpenAPI schema does not refuse unknown fields (the API server does, kubectl's strict field
 * validation): the validator reads every field its schema has, so a field it never read is one the
 * schema does not have.
 */
async function problems(doc: Obj): Promise<string[]> {
  const model = await modelOf(doc);
  const readKeys = new Map<object, { path: string; keys: Set<string> }>();
  const proxies = new Map<object, object>();
  const track = (v: unknown, path: string): unknown => {
    if (v === null || typeof v !== 'object') return v;
    const known = proxies.get(v);
    if (known) return known;
    const keys = new Set<string>();
    readKeys.set(v, { path, keys });
    const p = new Proxy(v, {
      get(t, k, r) {
        const value = Reflect.get(t, k, r);
        if (typeof k !== 'string' || !Object.hasOwn(t, k)) return value;
        keys.add(k);
        return track(value, `${path}.${k}`);
      },
      ownKeys(t) {
        for (const k of Reflect.ownKeys(t)) if (typeof k === 'string') keys.add(k);
        return Reflect.ownKeys(t);
      },
    });
    proxies.set(v, p);
    return p;
  };
  const found: string[] = [];
  try {
    model.validate.call(track(model, ''));
  } catch (err) {
    const errors = (err as { errors?: { instancePath: string; message?: string }[] }).errors;
    found.push(...(errors ? errors.map((e) => `${e.instancePath} ${e.message}`) : [(err as Error).message]));
  }
  for (const [o, { path, keys }] of readKeys) for (const k of Object.keys(o)) if (!keys.has(k)) found.push(`${path}.${k}: not a field of the schema`);
  return found;
}

const podSpec = (job: Obj) => obj(at(job, 'spec', 'template', 'spec'));
const containers = (job: Obj) => list(podSpec(job).containers).map(obj);
const container = (job: Obj) => {
  const [c, ...more] = containers(job);
  expect(more).toEqual([]);
  return c!;
};
/** The script a container runs: `command: [/bin/sh, -c, SCRIPT]`. */
const script = (job: Obj): string => {
  const command = list(container(job).command).map(String);
  expect(command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
  expect(command).toHaveLength(3);
  return command[2]!;
};
const envValue = (job: Obj, name: string) =>
  list(container(job).env)
    .map(obj)
    .find((e) => e.name === name);
const mountOf = (job: Obj, volume: string): Obj => {
  const m = list(container(job).volumeMounts)
    .map(obj)
    .find((x) => x.name === volume);
  if (!m) throw new Error(`no mount of volume ${volume}`);
  return m;
};
const volumeOf = (job: Obj, volume: string): Obj => {
  const v = list(podSpec(job).volumes)
    .map(obj)
    .find((x) => x.name === volume);
  if (!v) throw new Error(`no volume ${volume}`);
  return v;
};

/** What `sh` prints for `printf %s "WORD"` (a double-quoted word's text as written), with `env`. */
function shWord(word: string, env: Record<string, string>): string {
  return execFileSync('sh', ['-c', `printf %s "${word}"`], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
}

/** The one line of `text` that starts with `prefix`. */
function lineStarting(text: string, prefix: string): string {
  const lines = text.split('\n').filter((l) => l.trimStart().startsWith(prefix));
  expect(lines, `one line starting ${prefix}`).toHaveLength(1);
  return lines[0]!.trim();
}

/** The shard expression of the pod's `--shard "EXPR"`, and N, the shard count it names. */
function shardArgument(): { expr: string; n: number } {
  const m = /--shard "([^"]+)\/(\d+)"/.exec(script(upJob));
  if (!m) throw new Error(`no --shard "K/N" in ${script(upJob)}`);
  return { expr: m[1]!, n: Number(m[2]) };
}

function shellcheck(shell: 'sh' | 'bash', text: string): { status: number | null; out: string } {
  const r = spawnSync('shellcheck', ['-s', shell, '-'], { input: text, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('the Kubernetes example: the manifests against the Kubernetes schema', () => {
  it('the kustomization lists every manifest of the folder, each of them a known kind', () => {
    const yamlFiles = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml');
    expect([...resources].sort()).toEqual(yamlFiles.sort());
    expect(allDocs.map((d) => `${d.apiVersion} ${d.kind} ${at(d, 'metadata', 'name')}`).sort()).toEqual([
      'batch/v1 Job cnet-remote-merge',
      'batch/v1 Job cnet-remote-up',
      'v1 ConfigMap cnet-remote-inventory',
      'v1 PersistentVolumeClaim cnet-remote-results',
    ]);
  });

  it('every document of every manifest is valid, with no field the schema does not know', async () => {
    for (const [file, docs] of manifests) for (const d of docs) expect(await problems(d), `${file}: ${d.kind}`).toEqual([]);
  });

  it('the schema refuses a broken Job: a misspelt completionMode, parallelism as a string, a field it does not know, a container without a name', async () => {
    const broken = (change: (job: Obj) => void): Obj => {
      const job = structuredClone(upJob);
      change(job);
      return job;
    };
    expect(
      await problems(
        broken((j) => {
          obj(j.spec).completionMode = 'Indexd';
        }),
      ),
    ).toEqual(['/spec/completionMode must be equal to one of the allowed values']);
    expect(
      await problems(
        broken((j) => {
          obj(j.spec).parallelism = '4';
        }),
      ),
    ).toEqual(['/spec/parallelism must be integer']);
    expect(
      await problems(
        broken((j) => {
          obj(j.spec).backofLimitPerIndex = 1;
        }),
      ),
    ).toEqual(['.spec.backofLimitPerIndex: not a field of the schema']);
    expect(
      await problems(
        broken((j) => {
          delete container(j).name;
        }),
      ),
    ).toEqual(['/spec/template/spec/containers/0 must have required property name']);
  });

  it('one image name, set once in the kustomization: every container of every Job uses it', () => {
    const images = list(kustomization.images).map(obj);
    expect(images).toHaveLength(1);
    const [image] = images;
    expect(image!.newName).toMatch(/\//);
    expect(String(image!.newTag)).not.toBe('');
    const jobs = allDocs.filter((d) => d.kind === 'Job');
    expect(jobs.flatMap((j) => containers(j).map((c) => c.image))).toEqual(jobs.map(() => image!.name));
  });
});

describe('the Kubernetes example: the shards agree with cnet-remote and with each other', () => {
  it('an Indexed Job whose completions and parallelism are the N of --shard K/N', () => {
    const spec = obj(upJob.spec);
    const { n } = shardArgument();
    expect(spec.completionMode).toBe('Indexed');
    expect(spec.completions).toBe(n);
    expect(spec.parallelism).toBe(n);
    expect(n).toBe(4);
  });

  it('the pod with JOB_COMPLETION_INDEX 0..N-1 (0-based) runs shard 1/N..N/N: the --shard argument as sh evaluates it', () => {
    const { expr, n } = shardArgument();
    const shards = Array.from({ length: n }, (_, i) => shWord(`${expr}/${n}`, { JOB_COMPLETION_INDEX: String(i) }));
    expect(shards).toEqual(['1/4', '2/4', '3/4', '4/4']);
  });

  it("the pods' command lines are cnet-remote's: up with --shard and --json, report merge with --junit, --html and --retry-file", () => {
    const line = (job: Obj, text: string) => lineStarting(script(job), text);
    expect(cliUse(line(upJob, 'cnet-remote up '))).toEqual({ command: 'up', unknown: [] });
    expect(cliUse(line(mergeJob, 'exec cnet-remote report merge '))).toEqual({ command: 'report merge', unknown: [] });
    expect(cliUse('cnet-remote up inv.yaml --shrd 1/4')).toEqual({ command: 'up', unknown: ['--shrd'] });
  });

  it('a failing shard is retried a bounded number of times, never after an inventory error (exit 1), and does not stop the others', () => {
    const spec = obj(upJob.spec);
    expect(spec.backoffLimitPerIndex).toBe(1);
    expect(spec.maxFailedIndexes).toBeUndefined();
    expect(podSpec(upJob).restartPolicy).toBe('Never');
    const rules = list(at(spec, 'podFailurePolicy', 'rules')).map(obj);
    const failIndex = rules.find((r) => r.action === 'FailIndex');
    expect(failIndex?.onExitCodes).toEqual({ containerName: container(upJob).name, operator: 'In', values: [EXIT.usage] });
    expect(rules.find((r) => r.action === 'Ignore')?.onPodConditions).toEqual([{ type: 'DisruptionTarget', status: 'True' }]);
    // the merge: once, suspended until run.sh resumes it
    expect(obj(mergeJob.spec).suspend).toBe(true);
    expect(obj(mergeJob.spec).backoffLimit).toBe(0);
  });

  it("the merge's glob takes exactly the files the N shards of this run write (sh expands both), not an earlier run's", () => {
    const { n } = shardArgument();
    const tmp = mkdtempSync(join(tmpdir(), 'cnet-k8s-example-'));
    try {
      // both Jobs: the results volume at $RESULTS, the run's folder from the same ConfigMap key
      for (const job of [upJob, mergeJob]) {
        expect(envValue(job, 'RESULTS')?.value).toBe(mountOf(job, 'results').mountPath);
        expect(at(volumeOf(job, 'results'), 'persistentVolumeClaim', 'claimName')).toBe(at(pvc, 'metadata', 'name'));
        expect(at(envValue(job, 'RUN_ID'), 'valueFrom', 'configMapKeyRef')).toEqual({ name: 'cnet-remote-run', key: 'RUN_ID' });
      }
      expect(at(pvc, 'spec', 'accessModes')).toEqual(['ReadWriteMany']);
      const results = join(tmp, 'results');
      const outLine = lineStarting(script(upJob), 'out=');
      const write = (runId: string) =>
        Array.from({ length: n }, (_, i) => {
          const file = execFileSync('sh', ['-c', `${outLine}\nprintf %s "$out"`], {
            env: { PATH: process.env.PATH, RESULTS: results, RUN_ID: runId, JOB_COMPLETION_INDEX: String(i) },
            encoding: 'utf8',
          });
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, '{}');
          return file;
        });
      write('run1');
      const written = write('run2');
      // what else a run's folder may hold: none of it is a shard's result
      for (const other of ['merged.json', 'junit.xml', 'up-shard-1.json.tmp']) writeFileSync(join(results, 'run2', other), '');
      expect(written.map((f) => posix.relative(results, f))).toEqual([
        'run2/up-shard-1.json',
        'run2/up-shard-2.json',
        'run2/up-shard-3.json',
        'run2/up-shard-4.json',
      ]);
      // the pod writes its result to $out: cnet-remote's stdout
      expect(script(upJob)).toMatch(/ --json > "\$out"\n/);
      const merge = script(mergeJob);
      const dirLine = lineStarting(merge, 'dir=');
      const m = /cnet-remote report merge (\S+) --junit "\$dir\/junit\.xml" --html "\$dir\/report\.html" --retry-file "\$dir\/retry\.txt"/.exec(merge);
      if (!m) throw new Error(`no report merge command in ${merge}`);
      const globbed = execFileSync('sh', ['-c', `${dirLine}\nfor f in ${m[1]}; do printf '%s\\n' "$f"; done`], {
        env: { PATH: process.env.PATH, RESULTS: results, RUN_ID: 'run2' },
        encoding: 'utf8',
      });
      expect(globbed.trimEnd().split('\n')).toEqual(written);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("the inventory loads with cnet-remote's own loader, names the key and known_hosts where the pods mount them, checks host keys strictly, and known_hosts has every host", () => {
    const inventoryMount = String(mountOf(upJob, 'inventory').mountPath);
    const keyMount = String(mountOf(upJob, 'ssh-key').mountPath);
    expect(at(volumeOf(upJob, 'inventory'), 'configMap', 'name')).toBe(at(inventoryMap, 'metadata', 'name'));
    // the inventory the pod names is the ConfigMap's key inventory.yaml
    const m = /cnet-remote up (\S+) --shard/.exec(script(upJob));
    expect(m?.[1]).toBe(`${inventoryMount}/inventory.yaml`);
    const data = obj(inventoryMap.data);
    const inv = resolveInventory([parseSource(`${inventoryMount}/inventory.yaml`, String(data['inventory.yaml']))]);
    expect(inv.hosts.length).toBeGreaterThanOrEqual(2 * shardArgument().n);
    const knownHosts = parseKnownHosts(String(data.known_hosts));
    for (const h of inv.hosts) {
      expect(h.connection.hostKeyChecking, h.name).toBe('strict');
      expect(h.connection.knownHostsFile, h.name).toBe(`${inventoryMount}/known_hosts`);
      expect(dirname(h.connection.privateKeyFile ?? ''), h.name).toBe(keyMount);
      const name = knownHostsName(h.connection.address, h.connection.port ?? 22);
      expect(
        knownHosts.some((e) => matchHost(e, name)),
        `${h.name}: ${name} in known_hosts`,
      ).toBe(true);
    }
    // the Secret the README makes holds the key file the inventory names
    const keyFile = basename(inv.hosts[0]!.connection.privateKeyFile!);
    const secretName = String(at(volumeOf(upJob, 'ssh-key'), 'secret', 'secretName'));
    expect(read('README.md')).toContain(`kubectl create secret generic ${secretName} --from-file=${keyFile}=`);
  });

  it('the key and the inventory are mounted read-only, the key 0400; the pods run as uid 1000, the image user', () => {
    expect(at(volumeOf(upJob, 'ssh-key'), 'secret', 'defaultMode')).toBe(0o400);
    expect(mountOf(upJob, 'ssh-key').readOnly).toBe(true);
    expect(mountOf(upJob, 'inventory').readOnly).toBe(true);
    for (const job of [upJob, mergeJob]) {
      expect(obj(podSpec(job).securityContext)).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000 });
    }
    expect(read('Dockerfile')).toMatch(/^USER node$/m);
  });
});

describe('the Kubernetes example: the Dockerfile and the shell', () => {
  it('the Dockerfile passes dockerfile-utils, which flags a broken one', () => {
    const dockerfile = read('Dockerfile');
    expect(lintDockerfile(dockerfile)).toEqual([]);
    const broken = dockerfile.replace('COPY bin ./bin', 'COPY bin').replace('USER node', 'USR node');
    expect(lintDockerfile(broken).map((d) => d.message)).toEqual(['COPY requires at least two arguments', 'Unknown instruction: USR']);
  });

  it("the image has what the package ships (package.json's files), node 20 in both stages, and cnet-remote on PATH", () => {
    const dockerfile = read('Dockerfile');
    const pkg = JSON.parse(readFileSync(join(dir, '../../package.json'), 'utf8')) as { files: string[]; bin: Record<string, string> };
    const copied = [...dockerfile.matchAll(/^COPY --from=build \/opt\/cnet-remote\/(\S+) \S+$/gm)].map((m) => m[1]);
    for (const f of [...pkg.files, 'package.json', 'node_modules']) expect(copied, f).toContain(f);
    expect([...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1])).toEqual(['node:20-bookworm-slim', 'node:20-bookworm-slim']);
    expect(dockerfile).toContain(`ln -s /opt/cnet-remote/${pkg.bin['cnet-remote']} /usr/local/bin/cnet-remote`);
    expect(dockerfile).toMatch(/npm ci[^\n]*\n[\s\S]*npm run build && npm prune --omit=dev/);
  });

  it("run.sh and both pods' scripts are shellcheck-clean and valid sh", () => {
    const runSh = read('run.sh');
    expect(shellcheck('bash', runSh)).toEqual({ status: 0, out: '' });
    for (const job of [upJob, mergeJob]) {
      expect(shellcheck('sh', script(job))).toEqual({ status: 0, out: '' });
      execFileSync('sh', ['-n'], { input: script(job) });
    }
  });

  it("run.sh runs these Jobs: makes the run's ConfigMap, waits for the shards' Job to complete or fail, then resumes the merge", () => {
    const runSh = read('run.sh');
    const names = [upJob, mergeJob].map((j) => String(at(j, 'metadata', 'name')));
    expect(runSh).toContain(`delete job ${names.join(' ')} --ignore-not-found`);
    expect(runSh).toContain('create configmap cnet-remote-run --from-literal=RUN_ID=');
    expect(runSh).toContain('wait --for=condition=complete "job/$job"');
    expect(runSh).toContain('wait --for=condition=failed "job/$job"');
    expect(runSh).toContain(`shards=$(job_end ${names[0]})`);
    expect(runSh).toContain(`patch job ${names[1]} --type=merge --patch '{"spec":{"suspend":false}}'`);
    expect(runSh.indexOf(`job_end ${names[0]}`)).toBeLessThan(runSh.indexOf(`patch job ${names[1]}`));
  });
});
