--[[
  Index the ledger rows of some commitments in the per-party indexes of the parties each one's
  document names now (the backfill of rows written before those indexes existed). Idempotent;
  atomic per call, so a party change or a delivery of one of these commitments is entirely before
  or after it.
  KEYS: 1 the ledger's failed index, 2 its sent index, then per commitment three keys: its
        document, its failed index, its sent index.
  Returns the number of commitments with at least one party.
]]
--@include "ledgerRows"
local n = 0
for i = 3, #KEYS, 3 do
  local parties = ledgerPartiesOf(KEYS[i])
  if #parties > 0 then
    n = n + 1
    for k, index in ipairs({ KEYS[1], KEYS[2] }) do
      local dests = {}
      for _, p in ipairs(parties) do dests[#dests + 1] = ledgerPartyIndex(index, p) end
      ledgerCopyRows(KEYS[i + k], dests)
    end
  end
end
return n
