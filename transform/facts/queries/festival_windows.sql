-- festival_windows: the windows the warehouse's model user_grabs answers for (the
-- model festival_windows, one row), which the sheet compares with its own before it
-- reads the per-user figures there.
SELECT eve_start, end_at, eve_night_start, eve_night_end
FROM festival_windows
