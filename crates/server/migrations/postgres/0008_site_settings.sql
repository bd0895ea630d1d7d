-- A site's settings are edited in the console and applied on every node without a restart: the store
-- keeps them (TOML, secrets included), their revision (a change names the revision it was made from),
-- and the fingerprint of the configuration file's section that seeded them last.
CREATE TABLE site_settings (
    site TEXT PRIMARY KEY,
    toml TEXT NOT NULL,
    revision BIGINT NOT NULL,
    seed_fingerprint TEXT,
    updated_at BIGINT NOT NULL
);
