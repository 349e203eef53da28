/*
 * The Lua mirror of src/router/circuitBreakerTransitions.ts: the same record shape, stored as
 * JSON under one key per target, and the same functions under the same names. Keep the two
 * in step; the BreakerStore contract suite runs against both.
 *
 * Every script gets KEYS[1] = the target's key and ARGV = now, config JSON, ttlMs, then its
 * own arguments. Numbers cross as JSON, whose encoder in Redis keeps 14 significant digits:
 * enough for millisecond timestamps.
 */
const transitions = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local config = cjson.decode(ARGV[2])
local ttlMs = tonumber(ARGV[3])
local windowSlices = 60

local function createBreakerRecord(generation, nextProbeId)
  return {
    v = 1, state = 'closed', window = {}, generation = generation, consecutiveOpens = 0,
    probes = {}, probeSuccesses = 0, nextProbeId = nextProbeId
  }
end

-- A record that does not decode (another version, a manual edit) is treated as a fresh one.
local function load()
  local raw = redis.call('GET', key)
  if raw then
    local ok, record = pcall(cjson.decode, raw)
    if ok and type(record) == 'table' and record.v == 1 then return record end
  end
  return createBreakerRecord(0, 0)
end

-- The key outlives an open period and its window, and idle targets expire after ttlMs.
local function save(record)
  local ttl = ttlMs
  if record.retryAt and record.retryAt - now + config.windowMs > ttl then ttl = record.retryAt - now + config.windowMs end
  redis.call('SET', key, cjson.encode(record), 'PX', math.ceil(ttl))
end

local function count(map)
  local size = 0
  for _ in pairs(map) do size = size + 1 end
  return size
end

local function sliceOf(time)
  return math.floor(time / math.ceil(config.windowMs / windowSlices))
end

local function windowTotals(record)
  local calls, failures = 0, 0
  for _, counts in pairs(record.window) do
    calls = calls + counts[1]
    failures = failures + counts[2]
  end
  return calls, failures
end

local function openFor(record, durationMs)
  record.state = 'open'
  record.openedAt = now
  record.retryAt = now + durationMs
  record.probes = {}
  record.probeSuccesses = 0
end

local function tripOnFailures(record)
  record.consecutiveOpens = record.consecutiveOpens + 1
  openFor(record, math.min(config.resetTimeoutMs * 2 ^ (record.consecutiveOpens - 1), config.maxResetTimeoutMs))
end

local function close(record)
  record.state = 'closed'
  record.window = {}
  record.generation = record.generation + 1
  record.consecutiveOpens = 0
  record.openedAt = nil
  record.retryAt = nil
  record.probes = {}
  record.probeSuccesses = 0
end

local function countResult(record, failed)
  local slice = tostring(sliceOf(now))
  local counts = record.window[slice] or { 0, 0 }
  local failedNow = 0
  if failed then failedNow = 1 end
  record.window[slice] = { counts[1] + 1, counts[2] + failedNow }
  local calls, failures = windowTotals(record)
  if failures >= config.failureThreshold
    or (calls >= config.minimumVolume and failures / calls >= config.failureRateThreshold) then
    tripOnFailures(record)
  end
end

local function noteError(record, summary)
  if summary then record.lastError = { code = summary.code, message = summary.message } end
end

local function isCurrentCall(record, ticket)
  return record.state == 'closed' and ticket.kind == 'call' and ticket.generation == record.generation
end

local function isLiveProbe(record, ticket)
  return record.state == 'half-open' and ticket.kind == 'probe' and record.probes[ticket.probeId] ~= nil
end

local function advance(record)
  if record.state == 'open' and now >= (record.retryAt or now) then
    record.state = 'half-open'
    record.probes = {}
    record.probeSuccesses = 0
  end
  if record.state == 'half-open' then
    local live = {}
    for probeId, acquiredAt in pairs(record.probes) do
      if acquiredAt + config.probeTimeoutMs > now then live[probeId] = acquiredAt end
    end
    record.probes = live
  end
  local oldestSlice = sliceOf(now) - windowSlices
  local window = {}
  for slice, counts in pairs(record.window) do
    if tonumber(slice) > oldestSlice then window[slice] = counts end
  end
  record.window = window
end

local function acquire(record)
  if record.state == 'closed' then return { kind = 'call', generation = record.generation } end
  if record.state == 'half-open' and count(record.probes) < config.halfOpenMaxProbes then
    local probeId = tostring(record.nextProbeId)
    record.nextProbeId = record.nextProbeId + 1
    record.probes[probeId] = now
    return { kind = 'probe', probeId = probeId }
  end
  return nil
end

local function recordResult(record, ticket, outcome)
  if record.state == 'disabled' then return end
  if outcome.type == 'disable' then
    noteError(record, outcome.error)
    record.state = 'disabled'
    record.openedAt = now
    record.retryAt = nil
    record.probes = {}
    record.probeSuccesses = 0
  elseif outcome.type == 'rate-limited' then
    noteError(record, outcome.error)
    local untilTime = now + outcome.retryAfterMs
    if record.state ~= 'open' then openFor(record, outcome.retryAfterMs)
    elseif (record.retryAt or now) < untilTime then record.retryAt = untilTime end
  elseif outcome.type == 'failure' then
    if isCurrentCall(record, ticket) then
      noteError(record, outcome.error)
      countResult(record, true)
    elseif isLiveProbe(record, ticket) then
      noteError(record, outcome.error)
      tripOnFailures(record)
    end
  elseif outcome.type == 'success' then
    if isCurrentCall(record, ticket) then
      countResult(record, false)
    elseif isLiveProbe(record, ticket) then
      record.probes[ticket.probeId] = nil
      record.probeSuccesses = record.probeSuccesses + 1
      if record.probeSuccesses >= config.successesToClose then close(record) end
    end
  elseif outcome.type == 'ignore' then
    if isLiveProbe(record, ticket) then record.probes[ticket.probeId] = nil end
  end
end

local function resetRecord(record)
  return createBreakerRecord(record.generation + 1, record.nextProbeId)
end

local function describeRecord(record)
  local calls, failures = windowTotals(record)
  local probesInFlight = count(record.probes)
  local retryAt = nil
  if record.state == 'open' then
    retryAt = record.retryAt
  elseif record.state == 'half-open' and probesInFlight >= config.halfOpenMaxProbes then
    for _, acquiredAt in pairs(record.probes) do
      if retryAt == nil or acquiredAt + config.probeTimeoutMs < retryAt then retryAt = acquiredAt + config.probeTimeoutMs end
    end
  end
  return {
    state = record.state, failures = failures, calls = calls, openedAt = record.openedAt, retryAt = retryAt,
    consecutiveOpens = record.consecutiveOpens, probesInFlight = probesInFlight,
    probeSuccesses = record.probeSuccesses, lastError = record.lastError
  }
end
`;

/** The scripts of the Redis breaker store, one per {@link BreakerStore} method. */
export const breakerStoreScripts = {
  tryAcquire: `${transitions}
local record = load()
local stateBefore = record.state
advance(record)
local ticket = acquire(record)
-- A closed circuit that admits a call changes nothing worth a write.
if record.state ~= stateBefore or (ticket and ticket.kind == 'probe') then save(record) end
return cjson.encode({ allowed = ticket ~= nil, ticket = ticket, snapshot = describeRecord(record) })
`,
  recordResult: `${transitions}
local record = load()
advance(record)
recordResult(record, cjson.decode(ARGV[4]), cjson.decode(ARGV[5]))
save(record)
return cjson.encode(describeRecord(record))
`,
  get: `${transitions}
local record = load()
advance(record)
return cjson.encode(describeRecord(record))
`,
  reset: `${transitions}
local record = resetRecord(load())
save(record)
return cjson.encode(describeRecord(record))
`,
} as const;
