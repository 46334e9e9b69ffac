-- fake_envelope_links: the fake-envelope links shared in chats, from links.
SELECT count(*) AS links FROM links
