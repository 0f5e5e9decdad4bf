import { createHash } from 'node:crypto';
import { Cluster } from 'ioredis';
import type { RedisClient } from '../redis-connection.js';
import { GENESIS_HASH } from './record.js';

/**
 * The append, as a Redis function (Redis ≥ 7): a chained batch, appended atomically if and only if
 * the chain head is still the one the batch was chained to. A batch whose first record is already stored
 * was appended before (an acknowledgement lost to a timeout or reconnect): it is reported as a duplicate,
 * never added twice. A batch that would take the hot tier past its hard cap is refused (FULL): the archive
 * is not taking segments, and a record is never dropped to make room.
 *
 * In the same call, each record's charge to its user's rate limits (issue #27: one round trip per batch):
 * its request counts toward the user's minute, its children toward the user's distinct children this
 * hour (a set: exact; a child already counted is free). Decided in order, as if asked one at a time; when
 * any charge would go past a limit, nothing is written or counted and the answer names those records
 * (LIMITED, then record index and limit, per refused record): the gateway refuses them and sends the rest
 * again. The limits' keys share the log's prefix (and so, on a Cluster, its slot).
 * KEYS: stream, head, ids (record id → seq), sids (seq → stream id), turn, sets (field set id → set).
 * ARGV: prefix, writer id, expected head hash, record count, hard cap (0: none), set count, charge count,
 * requests a minute, children an hour, minute window, hour window, the first record's seq, the last
 * record's hash; then per set: id, json; then per charge: record index (1-based), user id, n children,
 * the n children; then per record: id, json, n index keys, the n keys (the records' seqs follow the first).
 */
const APPEND_BODY = `
local head = redis.call('HGET', KEYS[2], 'hash') or '${GENESIS_HASH}'
local nsets = tonumber(ARGV[6])
local ncharges = tonumber(ARGV[7])
local at = 14 + 2 * nsets
-- Each charge: its record, user, and where its children start and end among the arguments.
local crecord, cuser, cfrom, cto = {}, {}, {}, {}
for c = 1, ncharges do
  crecord[c], cuser[c], cfrom[c], cto[c] = ARGV[at], ARGV[at + 1], at + 3, at + 2 + tonumber(ARGV[at + 2])
  at = cto[c] + 1
end
local first = at
if redis.call('HEXISTS', KEYS[3], ARGV[first]) == 1 then return {'DUP', head} end
local turn = redis.call('GET', KEYS[5])
if head ~= ARGV[3] or (turn and turn ~= ARGV[2]) then
  -- The writer that lost the race gets the next turn, so no writer starves.
  redis.call('SET', KEYS[5], ARGV[2], 'NX', 'PX', 200)
  return {'CONFLICT', head, redis.call('HGET', KEYS[2], 'seq') or '0'}
end
local cap = tonumber(ARGV[5])
if cap > 0 then
  local held = redis.call('XLEN', KEYS[1])
  if held + tonumber(ARGV[4]) > cap then return {'FULL', tostring(held)} end
end
-- Arguments go to a command in slices of 1000.
local function many(command, key, values)
  for s = 1, #values, 1000 do redis.call(command, key, unpack(values, s, math.min(s + 999, #values))) end
end
-- The charges, decided before anything is written. Per user: the counts, and one SMISMEMBER for every
-- child the batch charges (slices of 1000); then each charge in order, as if asked one at a time.
local perMinute, perHour = tonumber(ARGV[8]), tonumber(ARGV[9])
local users, payers, refused, mark = {}, {}, {}, {}
for c = 1, ncharges do
  local u = users[cuser[c]]
  if not u then
    u = { rkey = ARGV[1] .. 'rl:req:' .. cuser[c] .. ':' .. ARGV[10],
          ckey = ARGV[1] .. 'rl:children:' .. cuser[c] .. ':' .. ARGV[11],
          asked = {}, nasked = 0, held = {}, fresh = {}, nfresh = 0 }
    u.requests = tonumber(redis.call('GET', u.rkey) or '0')
    u.counted = redis.call('SCARD', u.ckey)
    users[cuser[c]] = u; payers[#payers + 1] = u
  end
  for j = cfrom[c], cto[c] do u.nasked = u.nasked + 1; u.asked[u.nasked] = ARGV[j] end
end
for _, u in ipairs(payers) do
  for s = 1, u.nasked, 1000 do
    local last = math.min(s + 999, u.nasked)
    local held = redis.call('SMISMEMBER', u.ckey, unpack(u.asked, s, last))
    for j = s, last do if held[j - s + 1] == 1 then u.held[u.asked[j]] = true end end
  end
end
for c = 1, ncharges do
  local u = users[cuser[c]]
  local held, nnew = u.held, 0
  -- The children new to the user's hour, each counted once (mark: seen in this charge).
  for j = cfrom[c], cto[c] do
    local child = ARGV[j]
    if not held[child] and mark[child] ~= c then mark[child] = c; nnew = nnew + 1 end
  end
  if u.requests + 1 > perMinute then
    refused[#refused + 1] = crecord[c]; refused[#refused + 1] = 'requestsPerMinute'
  elseif nnew > 0 and u.counted + nnew > perHour then
    refused[#refused + 1] = crecord[c]; refused[#refused + 1] = 'childrenPerHour'
  else
    u.requests = u.requests + 1
    u.counted = u.counted + nnew
    for j = cfrom[c], cto[c] do
      local child = ARGV[j]
      if not held[child] then held[child] = true; u.nfresh = u.nfresh + 1; u.fresh[u.nfresh] = child end
    end
  end
end
if #refused > 0 then
  if turn == ARGV[2] then redis.call('PEXPIRE', KEYS[5], 1) end
  return {'LIMITED', unpack(refused)}
end
for _, u in ipairs(payers) do
  redis.call('SET', u.rkey, u.requests, 'PX', 120000)
  if u.nfresh > 0 then many('SADD', u.ckey, u.fresh); redis.call('PEXPIRE', u.ckey, 7200000) end
end
for s = 14, 13 + 2 * nsets, 2 do redis.call('HSETNX', KEYS[6], ARGV[s], ARGV[s + 1]) end
-- Record by record: the stream entry. Then the id and seq maps, every index list and the head, each
-- in as few commands as the batch allows.
local ids, sids, lists, order = {}, {}, {}, {}
local i, count, seq0 = first, tonumber(ARGV[4]), tonumber(ARGV[12])
for r = 1, count do
  local seq = tostring(seq0 + r - 1)
  local sid = redis.call('XADD', KEYS[1], '*', 'seq', seq, 'r', ARGV[i + 1])
  ids[2 * r - 1] = ARGV[i]; ids[2 * r] = seq
  sids[2 * r - 1] = seq; sids[2 * r] = sid
  local n = tonumber(ARGV[i + 2])
  for k = i + 3, i + 2 + n do
    local list = lists[ARGV[k]]
    if not list then list = {}; lists[ARGV[k]] = list; order[#order + 1] = ARGV[k] end
    list[#list + 1] = seq
  end
  i = i + 3 + n
end
many('HSET', KEYS[3], ids)
many('HSET', KEYS[4], sids)
for _, key in ipairs(order) do many('RPUSH', ARGV[1] .. key, lists[key]) end
redis.call('HSET', KEYS[2], 'hash', ARGV[13], 'seq', tostring(seq0 + count - 1))
if turn == ARGV[2] then redis.call('PEXPIRE', KEYS[5], 1) end
return {'OK'}
`;

/**
 * The trim: removes the oldest records, through a segment's last record, once the archive has committed
 * that segment. Only through the record named by its seq and hash (so only at a boundary of the chain
 * this Redis holds), and only once (the mark `trimmed` moves forward with it, so a trim sent twice after a
 * lost answer removes nothing more). Index lists lose exactly the entries the trimmed records put there.
 * Its commands (XDEL, HDEL, LPOP) are allowed to the archiver's Redis user only: the gateway's user may
 * append and read, never remove.
 * KEYS: stream, ids, sids, trimmed. ARGV: prefix, through seq, through hash, record count, then per record:
 * id, seq; then the index lists: n, then per list: key, count.
 */
const TRIM_BODY = `
local done = tonumber(redis.call('HGET', KEYS[4], 'seq') or '0')
local through = tonumber(ARGV[2])
if done >= through then return {'DONE', tostring(done)} end
local sid = redis.call('HGET', KEYS[3], ARGV[2])
if not sid then return {'MISSING', ARGV[2]} end
local entry = redis.call('XRANGE', KEYS[1], sid, sid)[1]
local json = entry and entry[2][4]
if not json or cjson.decode(json).hash ~= ARGV[3] then return {'MISMATCH', ARGV[2]} end
local count = tonumber(ARGV[4])
local sids, ids, seqs = {}, {}, {}
for r = 0, count - 1 do
  ids[#ids + 1] = ARGV[5 + 2 * r]
  seqs[#seqs + 1] = ARGV[6 + 2 * r]
end
for s = 1, #seqs, 1000 do
  local slice = redis.call('HMGET', KEYS[3], unpack(seqs, s, math.min(s + 999, #seqs)))
  for _, v in ipairs(slice) do if v then sids[#sids + 1] = v end end
end
for s = 1, #sids, 1000 do redis.call('XDEL', KEYS[1], unpack(sids, s, math.min(s + 999, #sids))) end
for s = 1, #ids, 1000 do redis.call('HDEL', KEYS[2], unpack(ids, s, math.min(s + 999, #ids))) end
for s = 1, #seqs, 1000 do redis.call('HDEL', KEYS[3], unpack(seqs, s, math.min(s + 999, #seqs))) end
local at = 5 + 2 * count
for l = 1, tonumber(ARGV[at]) do
  redis.call('LPOP', ARGV[1] .. ARGV[at + 2 * l - 1], tonumber(ARGV[at + 2 * l]))
end
redis.call('HSET', KEYS[4], 'seq', ARGV[2], 'hash', ARGV[3])
return {'OK'}
`;

const VERSION = createHash('sha256').update(APPEND_BODY).update(TRIM_BODY).digest('hex').slice(0, 12);

/**
 * The function's name carries a hash of its code, so a gateway never calls an older or altered
 * append: a deployment loads the library once (`npm run -s audit:install-redis`), and the gateway's
 * Redis user may call it but not load, replace or delete functions, nor run scripts of its own.
 */
export const APPEND_FUNCTION = `macpt_dlog_append_${VERSION}`;

/** The trim's name (same library, same version). */
export const TRIM_FUNCTION = `macpt_dlog_trim_${VERSION}`;

/** The library's source, as `FUNCTION LOAD` takes it. */
export const APPEND_LIBRARY = `#!lua name=macpt_dlog_${VERSION}
local function append(KEYS, ARGV)
${APPEND_BODY}
end
local function trim(KEYS, ARGV)
${TRIM_BODY}
end
redis.register_function('${APPEND_FUNCTION}', append)
redis.register_function('${TRIM_FUNCTION}', trim)
`;

/**
 * Loads the append library if this Redis lacks it (needs a user allowed FUNCTION LOAD: deploy time, or
 * development). On a Cluster, on every primary: a function lives on the node that loaded it, and the
 * chain's slot may move.
 */
export async function installAppendFunction(redis: RedisClient): Promise<'loaded' | 'present'> {
  if (redis instanceof Cluster) {
    const outcomes = await Promise.all(redis.nodes('master').map((node) => installAppendFunction(node)));
    return outcomes.includes('loaded') ? 'loaded' : 'present';
  }
  const present = (await redis.call('FUNCTION', 'LIST', 'LIBRARYNAME', `macpt_dlog_${VERSION}`)) as unknown[];
  if (present.length > 0) return 'present';
  try {
    await redis.call('FUNCTION', 'LOAD', APPEND_LIBRARY);
  } catch (error) {
    // Another gateway loaded the same library between our look and our load: it is there, as wanted.
    if (/already exists/i.test((error as Error).message)) return 'present';
    throw error;
  }
  return 'loaded';
}
