-- later_years: the reported figures of the Eves after 2014, from the reference table
-- later_years (refdata/later_years.csv), in order of Eve, platform and metric.
SELECT year, strftime(eve, '%Y-%m-%d') AS eve, platform, metric, value, unit, window_en, source, note_en, note_zh
FROM later_years
ORDER BY eve, platform, metric, window_en
