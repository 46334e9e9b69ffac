-- links: the fake-envelope links, those pointing outside WeChat's and Tenpay's domains,
-- their distinct hosts, sharers and chats, and the envelopes sent, from links and
-- envelopes.
WITH l AS (
    SELECT *, lower(regexp_extract(url, '^[A-Za-z][A-Za-z0-9+.-]*://([^/:?#]+)', 1)) AS host FROM links
)
SELECT count(*) AS links,
       count(*) FILTER (WHERE NOT regexp_matches(host, '(^|\.)(weixin\.qq\.com|wx\.qq\.com|qq\.com|tenpay\.com|wechat\.com)$')) AS off_wechat,
       count(DISTINCT host) AS hosts, count(DISTINCT user_id) AS sharers, count(DISTINCT chat_id) AS chats,
       (SELECT count(*) FROM envelopes) AS envelopes
FROM l
