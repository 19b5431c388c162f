/**
 * The fault tests' kill switch: `TRADEFLOW_FAULT=rows:3` kills the process (as kill -9 would)
 * inside the 3rd flush's transaction, `checkpoint:2` half-way through the 2nd checkpoint.
 */
export function failpoint(spec: string | undefined): (step: 'rows' | 'checkpoint') => void {
  const match = spec === undefined ? null : /^(rows|checkpoint):(\d+)$/.exec(spec);
  if (match === null) return () => {};
  let seen = 0;
  return (step) => {
    if (step === match[1] && ++seen === Number(match[2])) process.kill(process.pid, 'SIGKILL');
  };
}
