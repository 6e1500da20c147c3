/**
 * Fault injection, for the test suite only: the transaction sleeps this long after this step, so
 * a test can kill the runner, drop the connection or start a second run mid-transaction. It
 * reaches the operations as data (OperationOptions.faultPause); only the command line reads it,
 * from CNET_FAULT_PAUSE=STEP:SECONDS.
 */
export interface FaultPause {
  step: number;
  seconds: number;
}

/** `STEP:SECONDS` (e.g. `3:2`, `1:0.5`) as a pause; anything else (unset included): none. */
export function faultPauseOption(value: string | undefined): { faultPause?: FaultPause } {
  const m = /^(\d+):(\d+(\.\d+)?)$/.exec(value ?? '');
  return m ? { faultPause: { step: Number(m[1]), seconds: Number(m[2]) } } : {};
}
