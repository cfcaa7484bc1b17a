// The message plan both sides of bench:accounts follow (the app in accounts.bench.ts, plain Baileys in
// baileys-peer.ts): sender i sends its share of the texts to sender i + 1, one after the other as one
// client would, with at most `senders` accounts sending at once. At 10,000 accounts, every account's
// first message at once (10,000 Signal session set-ups in one burst) kept the simulator's single
// process so busy that pings waited over 5 s and 702 sockets were judged stale; with 1,000 at once no
// socket was lost, but a send waits for WhatsApp's ack at most 5 s (sessions/messaging.ts), and 1,000
// sends in flight at about 200 msg/s wait about 5 s each (Little's law): one was not confirmed in time.
// So the senders in flight must stay well under the message rate times 5 s.

/** Runs `send(i)` for every sender index, at most `senders` at once, in index order. */
export async function eachSender(count: number, senders: number, send: (index: number) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(senders, count) }, async () => {
      while (next < count) await send(next++)
    }),
  )
}
