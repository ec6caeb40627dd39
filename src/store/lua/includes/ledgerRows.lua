-- The per-party ledger indexes (keys.ledgerFailedOfParty, keys.ledgerSentOfParty): a party's index
-- holds the rows of the commitments it leads or belongs to now. Every script that writes them
-- reads the commitment's parties inside the script, so a delivery recorded while a party is added
-- or removed lands on the right side of the change.

-- The commitment's parties (leads, then members, each once), from its stored document; none when
-- there is no document.
local function ledgerPartiesOf(docKey)
  local json = redis.call('HGET', docKey, 'json')
  if not json then return {} end
  local c = cjson.decode(json)
  local seen, out = {}, {}
  for _, list in ipairs({ c.leads, c.members }) do
    if type(list) == 'table' then
      for _, p in ipairs(list) do
        if type(p) == 'string' and not seen[p] then
          seen[p] = true
          out[#out + 1] = p
        end
      end
    end
  end
  return out
end

-- A party's index beside one of the ledger's own (`<index>:p:<party>`, same hash tag).
local function ledgerPartyIndex(index, party)
  return index .. ':p:' .. party
end

-- Every row of index `src` (with its score) into each index of `dests`. A commitment's rows are
-- bounded; they go in chunks to stay under Lua's argument limit.
local function ledgerCopyRows(src, dests)
  if #dests == 0 then return end
  local flat = redis.call('ZRANGE', src, 0, -1, 'WITHSCORES')
  for i = 1, #flat, 1000 do
    local args = {}
    for j = i, math.min(i + 998, #flat - 1), 2 do
      args[#args + 1] = flat[j + 1]
      args[#args + 1] = flat[j]
    end
    for _, dest in ipairs(dests) do redis.call('ZADD', dest, unpack(args)) end
  end
end

-- Every row of index `src` out of index `dest`.
local function ledgerRemoveRows(src, dest)
  local members = redis.call('ZRANGE', src, 0, -1)
  for i = 1, #members, 1000 do
    redis.call('ZREM', dest, unpack(members, i, math.min(i + 999, #members)))
  end
end
