/** Resolves once the client's state satisfies `wanted` (at once if it already does); rejects after `limitMs`. */
export function untilState(client, wanted, limitMs = 10_000) {
  return new Promise((resolve, reject) => {
    if (wanted(client.state)) return resolve(client.state);
    const timer = setTimeout(() => {
      off();
      reject(new Error(`client state stayed ${client.state}`));
    }, limitMs);
    const off = client.on('state', (state) => {
      if (!wanted(state)) return;
      clearTimeout(timer);
      off();
      resolve(state);
    });
  });
}
