-- The sites each agent works on: an agent reads and acts on those sites' conversations, callbacks,
-- community and FAQ only. `*` stands for every site (the first administrator). Agents made before this
-- migration worked on every site, so they keep `*` until an administrator narrows it.
CREATE TABLE agent_sites (
    agent_id INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    site TEXT NOT NULL,
    PRIMARY KEY (agent_id, site)
);
INSERT INTO agent_sites (agent_id, site) SELECT id, '*' FROM agents;
