-- Append one domain event (JSON) to a commitment's history list and to the
-- deployment's event stream. The stream is capped near a million entries.
local function appendEvent(historyKey, streamKey, json)
  redis.call('RPUSH', historyKey, json)
  redis.call('XADD', streamKey, 'MAXLEN', '~', '1000000', '*', 'e', json)
end
