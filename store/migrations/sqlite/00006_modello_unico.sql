-- +goose Up
-- The station's model towards pagoPA: 1 legacy RPT/RT, 2 modello unico.
ALTER TABLE ente ADD COLUMN station_version INTEGER NOT NULL DEFAULT 1;

-- +goose Down
ALTER TABLE ente DROP COLUMN station_version;
