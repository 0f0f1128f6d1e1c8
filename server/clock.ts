/**
 * Timestamps as Flowrra writes them: `datetime.now().isoformat()`, i.e. naive local time with
 * microseconds. Strictly increasing, so the steps of one task never go back in time even when
 * the wall clock is adjusted or two stamps fall in the same microsecond.
 */
export function createClock(): () => string {
  let last = 0;
  return () => {
    let micros = Math.max(last + 1, Math.floor((performance.timeOrigin + performance.now()) * 1000));
    // Python's isoformat() drops the fraction when it is exactly zero; skip that instant so every
    // stamp has the same shape.
    if (micros % 1_000_000 === 0) micros += 1;
    last = micros;
    return formatNaiveLocal(micros);
  };
}

export function formatNaiveLocal(epochMicros: number): string {
  const date = new Date(Math.floor(epochMicros / 1000));
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return (
    `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `.${pad(epochMicros % 1_000_000, 6)}`
  );
}
