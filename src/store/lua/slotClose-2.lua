--[[
  Close a slot whose job has served every member: from now on slotAdd refuses it, so a group
  added after the job's last read can never be left in a slot no job will run.
  KEYS: 1 slot set, 2 the slot's closed-marker.  ARGV: 1 the marker's time to live, seconds.
  Returns 1 if closed, 0 if members are left (the job serves them first).
]]
if redis.call('SCARD', KEYS[1]) > 0 then return 0 end
redis.call('SET', KEYS[2], '1', 'EX', ARGV[1])
return 1
