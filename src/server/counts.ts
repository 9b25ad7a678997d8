/**
 * Live connection counts on this node (handshakes in flight included) for the global and per-IP caps
 * (per-user caps go through a ConnectionCounter, which may be cluster-wide). Reservations return an
 * idempotent release function, so every path (refusal, socket gone, close) can call it safely.
 */
export type Release = () => void;

export class ConnectionCounts {
  private global = 0;
  private readonly byIp = new Map<string, number>();

  /** Reserves a global and a per-IP slot; the reason when either is full. */
  reserveIp(ip: string, caps: { global: number; perIp: number }): Release | 'cap_global' | 'cap_ip' {
    if (this.global >= caps.global) return 'cap_global';
    if ((this.byIp.get(ip) ?? 0) >= caps.perIp) return 'cap_ip';
    this.global++;
    this.byIp.set(ip, (this.byIp.get(ip) ?? 0) + 1);
    // One closure (not once() around another): it lives as long as the connection.
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.global--;
      decrement(this.byIp, ip);
    };
  }

  get total(): number {
    return this.global;
  }
}

function decrement(map: Map<string, number>, key: string): void {
  const n = (map.get(key) ?? 1) - 1;
  if (n <= 0) map.delete(key);
  else map.set(key, n);
}
