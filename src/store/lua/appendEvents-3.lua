--[[
  Append events that change no field (reminder.sent, commitment.overdue …), only while the commitment exists.
  KEYS: 1 document, 2 history, 3 stream. ARGV: the events' JSON.
  Returns the number of events appended (0 when the commitment is gone).
]]
--@include "appendEvent"
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
for i = 1, #ARGV do appendEvent(KEYS[2], KEYS[3], ARGV[i]) end
return #ARGV
