-- launch_date: the local date of the first envelope, as YYYYMMDD, from envelopes.
SELECT strftime(min(ts) AT TIME ZONE {zone}, '%Y%m%d')::INTEGER AS first_day FROM envelopes
