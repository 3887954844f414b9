-- mock/server/state.lua — what the /_mock/ routes see and steer (mock/sparkrtc/control.lua):
-- the API object, the request log, queued scripts, counters, the rate limiter, and reset.

local ratelimit = require "sparkrtc.ratelimit"

local S = {}

-- api: a sparkrtc.new(cfg) object; cfg: its configuration from the command line (what a reset
-- goes back to); opts: the server's options (delay_all, rate, verbose).
-- -> srv {api, state {log, scripts, delay_all}, stats, limiter, generation, running, open_count,
--    verbose, reset(), open(), stop(), pop_script()}; state, stats and limiter are new after
--    each reset, and generation counts the resets.
function S.new(api, cfg, opts)
  local srv = { api = api, generation = 0, running = true, open_count = 0, verbose = opts.verbose }

  function srv.reset()
    srv.generation = srv.generation + 1
    api:configure({ clock_offset = 0, strict = cfg.strict or false, offset_items = cfg.offset_items or false,
      rule_locations = cfg.rule_locations or { "cn-north-4" } })
    api:reset()
    srv.state = { log = {}, scripts = {}, delay_all = opts.delay_all }
    -- the recording events' deliveries (server/deliver.lua); workers from before a reset finish
    -- their queue, unlisted
    srv.deliveries, srv.queues = {}, {}
    srv.limiter = ratelimit.new(opts.rate)
    -- requests held from before the reset no longer count (see mock/server/conn.lua, release)
    srv.stats = { connections = 0, requests = 0, in_flight = 0, max_in_flight = 0, accepted = 0 }
  end

  -- open connections now
  function srv.open() return srv.open_count end

  -- /_mock/shutdown, or the parent is gone: the loop ends after this round
  function srv.stop() srv.running = false end

  -- -> the behaviour of the first queued script, counted (nil: none queued)
  function srv.pop_script()
    local s = srv.state.scripts[1]
    if not s then return nil end
    s.remaining = s.remaining - 1
    if s.remaining <= 0 then table.remove(srv.state.scripts, 1) end
    return s.behaviour
  end

  srv.reset()
  return srv
end

return S
