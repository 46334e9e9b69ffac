-- festival_windows: the instants user_grabs answered for, in one row: Eve 00:00, the
-- end of the figures' window (Day 1 16:00), and Eve night's start and end, from the run
-- record of the data folder, or the 2014 festival's windows for data without one. The
-- facts sheet reads user_grabs only when these are its own windows.
SELECT {eve} AS eve_start, {end} AS end_at, {night_start} AS eve_night_start, {night_end} AS eve_night_end
