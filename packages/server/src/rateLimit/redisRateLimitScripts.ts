/*
 * The Lua mirrors of slidingWindowLog.ts and tokenBucket.ts, one script per algorithm. Keep
 * them in step with the TypeScript; the store contract suite runs against both stores.
 *
 * Every script gets KEYS[1] = the counter's key and ARGV = operation ('consume' or 'refund'),
 * now, limit, windowMs, cost, request id, and answers { allowed (1 or 0), remaining, resetMs,
 * retryAfterMs } as integers. Time comes from the caller, not Redis TIME, so fake clocks work
 * and all hosts count alike (keep their clocks in sync with NTP). Numbers are written with
 * %.0f: Lua's default formatting keeps only 14 significant digits.
 */
const preamble = `
local key = KEYS[1]
local operation = ARGV[1]
local now = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local windowMs = tonumber(ARGV[4])
local cost = tonumber(ARGV[5])
local requestId = ARGV[6]

local function int(value)
  return string.format('%.0f', value)
end
`;

/*
 * A sorted set of the admitted requests: score = time, member = "<cost>:<request id>". The
 * window is (now - windowMs, now]; the key expires when its newest request leaves the window.
 */
const slidingWindow = `${preamble}
local member = int(cost) .. ':' .. requestId
redis.call('ZREMRANGEBYSCORE', key, '-inf', int(now - windowMs))
if operation == 'refund' then redis.call('ZREM', key, member) end

local entries = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
local used = 0
for index = 1, #entries, 2 do used = used + tonumber(string.match(entries[index], '^(%d+):')) end

local allowed = 0
local retryAfterMs = 0
if operation == 'consume' then
  if used + cost <= limit then
    allowed = 1
    redis.call('ZADD', key, int(now), member)
    used = used + cost
    entries = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
  else
    local excess = used + cost - limit
    local freed = 0
    retryAfterMs = windowMs
    for index = 1, #entries, 2 do
      freed = freed + tonumber(string.match(entries[index], '^(%d+):'))
      if freed >= excess then
        retryAfterMs = tonumber(entries[index + 1]) + windowMs - now
        break
      end
    end
  end
end

local resetMs = 0
if #entries > 0 then
  resetMs = math.max(0, tonumber(entries[#entries]) + windowMs - now)
end
if resetMs > 0 then
  redis.call('PEXPIRE', key, int(resetMs))
else
  redis.call('DEL', key)
end
return { allowed, math.max(0, limit - used), resetMs, retryAfterMs }
`;

/*
 * A hash { level, updatedAt }; the level counts in units of 1/windowMs token. A missing key is
 * a full bucket, so the key expires exactly when the bucket is full again.
 */
const tokenBucket = `${preamble}
local capacity = limit * windowMs
local stored = redis.call('HMGET', key, 'level', 'updatedAt')
local level = capacity
local updatedAt = now
if stored[1] and stored[2] then
  level = tonumber(stored[1])
  updatedAt = tonumber(stored[2])
end
local elapsed = math.min(math.max(0, now - updatedAt), windowMs)
level = math.min(capacity, level + elapsed * limit)
updatedAt = math.max(updatedAt, now)

local allowed = 0
local retryAfterMs = 0
local needed = cost * windowMs
if operation == 'refund' then
  level = math.min(capacity, level + needed)
elseif level >= needed then
  allowed = 1
  level = level - needed
else
  retryAfterMs = math.ceil((needed - level) / limit)
end

local resetMs = math.ceil((capacity - level) / limit)
if resetMs > 0 then
  redis.call('HSET', key, 'level', int(level), 'updatedAt', int(updatedAt))
  -- updatedAt is ahead of now when another host's clock is.
  redis.call('PEXPIRE', key, int(resetMs + updatedAt - now))
else
  redis.call('DEL', key)
end
return { allowed, math.floor(level / windowMs), resetMs, retryAfterMs }
`;

/** The script of each algorithm, run through ioredis `defineCommand` (EVALSHA, loaded once). */
export const rateLimitScripts = {
  'sliding-window': slidingWindow,
  'token-bucket': tokenBucket,
} as const;
