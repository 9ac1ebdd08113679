// This process's sockets by room: room id -> (peer id -> socket id).
// It is the whole presence directory of a single process. In Redis mode it holds only local
// sockets: the directory lives in Redis, and this registry is what the process re-registers there
// when Redis lost it.

export class RoomRegistry {
  private readonly rooms = new Map<string, Map<string, string>>();
  private peerTotal = 0;

  get roomCount(): number {
    return this.rooms.size;
  }

  get peerCount(): number {
    return this.peerTotal;
  }

  peersOf(room: string): string[] {
    return [...(this.rooms.get(room)?.keys() ?? [])];
  }

  /** Every room with its local peer ids. */
  *entries(): IterableIterator<[string, string[]]> {
    for (const [room, members] of this.rooms) yield [room, [...members.keys()]];
  }

  has(room: string, peerId: string): boolean {
    return this.rooms.get(room)?.has(peerId) ?? false;
  }

  add(room: string, peerId: string, socketId: string): void {
    let members = this.rooms.get(room);
    if (!members) {
      members = new Map();
      this.rooms.set(room, members);
    }
    if (!members.has(peerId)) this.peerTotal += 1;
    members.set(peerId, socketId);
  }

  /** Removes the peer only if it is still bound to `socketId` (a newer socket may own the id). */
  remove(room: string, peerId: string, socketId: string): boolean {
    const members = this.rooms.get(room);
    if (!members || members.get(peerId) !== socketId) return false;
    members.delete(peerId);
    this.peerTotal -= 1;
    if (members.size === 0) this.rooms.delete(room);
    return true;
  }
}
