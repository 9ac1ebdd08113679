// Lua scripts of the Redis presence directory. Each runs atomically in Redis, so checks and writes
// made by different signaling processes cannot interleave. Times come from Redis (TIME), so the
// processes' clocks never need to agree.
//
// Keys (prefix PRESENCE_KEY_PREFIX):
//   epoch             Redis time (ms) since which the directory has been continuously complete
//   process:<pid>     liveness of one process, with a TTL refreshed by every script it runs. Its
//                     value chains the process's scripts: each one stores its sequence number if
//                     the key still holds the previous one's, else 'lost'. So the process's next
//                     heartbeat learns whether Redis lost any of its writes (flush, restart,
//                     rollback to a snapshot, or expiry while the process stalled).
//   room:<room>       hash peerId -> pid of the process holding the peer's socket
// An entry counts only while its process key exists; dead entries are deleted when next seen.

export const PRESENCE_KEY_PREFIX = 'meshraft-signal:';
export const EPOCH_KEY = `${PRESENCE_KEY_PREFIX}epoch`;
export const PROCESS_KEY_PREFIX = `${PRESENCE_KEY_PREFIX}process:`;
export const roomDirectoryKey = (room: string): string => `${PRESENCE_KEY_PREFIX}room:${room}`;

const NOW_MS = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/** Refreshes the process key and extends its chain, or marks it broken ('lost'). */
const TOUCH_PROCESS = (key: string, expectedArg: string, seqArg: string, ttlArg: string): string => `
if redis.call('GET', ${key}) == ${expectedArg} then
  redis.call('SET', ${key}, ${seqArg}, 'PX', ${ttlArg})
else
  redis.call('SET', ${key}, 'lost', 'PX', ${ttlArg})
end
`;

/**
 * KEYS: epoch, room hash, process key. ARGV: peerId, pid, maxPeers, takeoverFrom ('' = none),
 * process key prefix, expectedSeq, seq, ttlMs.
 * Returns {'ok', uptimeMs, peers} | {'taken', uptimeMs, holderPid} | {'full', uptimeMs}.
 * Pruning another peer's dead entry means the directory lost a member it never saw leave (its
 * process died before the peer re-registered elsewhere), so the epoch restarts: until peers had
 * time to re-register, an empty answer must not be trusted. So does a broken chain: Redis lost
 * some of this process's writes (a rollback to a snapshot, a failover to a lagging replica), its
 * peers may be missing until its next heartbeat restores them, and the epoch Redis kept is older
 * than what it holds.
 */
export const JOIN_SCRIPT = `${NOW_MS}
local broken = redis.call('GET', KEYS[3]) ~= ARGV[6]
${TOUCH_PROCESS('KEYS[3]', 'ARGV[6]', 'ARGV[7]', 'ARGV[8]')}
local entries = redis.call('HGETALL', KEYS[2])
local peers = {}
local holder = false
local lost = 0
for i = 1, #entries, 2 do
  local id, owner = entries[i], entries[i + 1]
  if redis.call('EXISTS', ARGV[5] .. owner) == 0 then
    redis.call('HDEL', KEYS[2], id)
    if id ~= ARGV[1] then lost = lost + 1 end
  elseif id == ARGV[1] then
    holder = owner
  else
    peers[#peers + 1] = id
  end
end
if lost > 0 or broken then
  redis.call('SET', KEYS[1], now)
else
  redis.call('SET', KEYS[1], now, 'NX')
end
local uptime = now - tonumber(redis.call('GET', KEYS[1]))
if holder and holder ~= ARGV[4] then return {'taken', uptime, holder} end
if #peers >= tonumber(ARGV[3]) then return {'full', uptime} end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return {'ok', uptime, peers}
`;

/**
 * KEYS: room hash, process key. ARGV: peerId, pid, expectedSeq, seq, ttlMs. Deletes the entry
 * only if this process still holds it.
 */
export const LEAVE_SCRIPT = `${TOUCH_PROCESS('KEYS[2]', 'ARGV[3]', 'ARGV[4]', 'ARGV[5]')}
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('HDEL', KEYS[1], ARGV[1])
  return 1
end
return 0
`;

/**
 * KEYS: epoch, process key. ARGV: expectedSeq (of the process's previous script), seq, ttlMs,
 * first ('1' on the process's first heartbeat). Returns 1 when Redis still holds everything the
 * process wrote, 0 when it lost some of it: the chain is broken, or the key is gone or older than
 * expected. A loss restarts the epoch (the directory may have been missing entries since), and
 * the heartbeat starts a new chain for the restore that follows.
 */
export const HEARTBEAT_SCRIPT = `${NOW_MS}
local intact = ARGV[4] == '1' or redis.call('GET', KEYS[2]) == ARGV[1]
if intact then
  redis.call('SET', KEYS[1], now, 'NX')
else
  redis.call('SET', KEYS[1], now)
end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
if intact then return 1 end
return 0
`;

/**
 * KEYS: room hash, process key. ARGV: pid, process key prefix, expectedSeq, seq, ttlMs, peerIds...
 * Re-registers this process's peers unless another live process holds the id by now. Returns how
 * many entries were written.
 */
export const RESTORE_SCRIPT = `${TOUCH_PROCESS('KEYS[2]', 'ARGV[3]', 'ARGV[4]', 'ARGV[5]')}
local written = 0
for i = 6, #ARGV do
  local owner = redis.call('HGET', KEYS[1], ARGV[i])
  if not owner or owner == ARGV[1] or redis.call('EXISTS', ARGV[2] .. owner) == 0 then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[1])
    written = written + 1
  end
end
return written
`;
