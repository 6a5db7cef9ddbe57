-- +goose Up
-- See the PostgreSQL migration of the same number.
CREATE TABLE import_flusso (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    ente_id       INTEGER NOT NULL REFERENCES ente (id) ON DELETE CASCADE,
    cod_ipa       TEXT    NOT NULL,
    request_token TEXT    NOT NULL,
    file_name     TEXT    NOT NULL,
    iuf           TEXT    NOT NULL DEFAULT '',
    version       TEXT    NOT NULL DEFAULT '',
    state         TEXT    NOT NULL,
    error_code    TEXT    NOT NULL DEFAULT '',
    path          TEXT    NOT NULL,
    md5           TEXT    NOT NULL,
    size          INTEGER NOT NULL,
    rows_read     INTEGER NOT NULL DEFAULT 0,
    imported      INTEGER NOT NULL DEFAULT 0,
    rejected      INTEGER NOT NULL DEFAULT 0,
    scarti_path   TEXT    NOT NULL DEFAULT '',
    iuv_path      TEXT    NOT NULL DEFAULT '',
    lease_owner   TEXT    NOT NULL DEFAULT '',
    lease_until   TEXT,
    attempts      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    finished_at   TEXT,
    CONSTRAINT import_flusso_request_token_key UNIQUE (request_token)
) STRICT;
CREATE INDEX import_flusso_pending_idx ON import_flusso (id) WHERE state IN ('LOAD_IMPORT', 'IMPORT_IN_ELAB');
CREATE INDEX import_flusso_ente_iuf_idx ON import_flusso (ente_id, iuf);

ALTER TABLE dovuto ADD COLUMN import_id INTEGER;
ALTER TABLE dovuto ADD COLUMN flusso_row INTEGER;

-- The rows of a flusso being imported. PostgreSQL stages in a temporary
-- table inside the import's one transaction; SQLite, whose single writer
-- must not be held for a whole file, stages here in batches and merges
-- in one transaction.
CREATE TABLE import_stage (
    import_id                  INTEGER NOT NULL,
    line                       INTEGER NOT NULL,
    azione                     TEXT    NOT NULL,
    iud                        TEXT    NOT NULL,
    iuv                        TEXT    NOT NULL,
    tipo_dovuto                TEXT    NOT NULL,
    tipo_versamento            TEXT    NOT NULL,
    amount_cents               INTEGER NOT NULL,
    commission_cents           INTEGER NOT NULL,
    due_date                   TEXT,
    causale                    TEXT    NOT NULL,
    dati_specifici_riscossione TEXT    NOT NULL,
    bilancio                   TEXT,
    payer_type                 TEXT    NOT NULL,
    payer_id                   TEXT    NOT NULL,
    payer_name                 TEXT    NOT NULL,
    payer_address              TEXT    NOT NULL,
    payer_civic                TEXT    NOT NULL,
    payer_cap                  TEXT    NOT NULL,
    payer_locality             TEXT    NOT NULL,
    payer_province             TEXT    NOT NULL,
    payer_nation               TEXT    NOT NULL,
    payer_email                TEXT    NOT NULL,
    secondary                  TEXT,
    raw                        TEXT    NOT NULL,
    codes                      TEXT    NOT NULL,
    descriptions               TEXT    NOT NULL,
    iuv_line                   TEXT    NOT NULL,
    applied                    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (import_id, line)
) STRICT;
CREATE INDEX import_stage_iud_idx ON import_stage (import_id, iud);

-- +goose Down
DROP TABLE import_stage;
ALTER TABLE dovuto DROP COLUMN flusso_row;
ALTER TABLE dovuto DROP COLUMN import_id;
DROP TABLE import_flusso;
