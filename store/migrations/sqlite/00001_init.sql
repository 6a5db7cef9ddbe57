-- +goose Up
-- Timestamps are TEXT in UTC with a fixed layout (2006-01-02T15:04:05.000000Z)
-- so that text order is time order. Booleans are 0/1.
CREATE TABLE ente (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    cod_ipa          TEXT    NOT NULL,
    codice_fiscale   TEXT    NOT NULL,
    denominazione    TEXT    NOT NULL DEFAULT '',
    state            TEXT    NOT NULL,
    password_hash    TEXT    NOT NULL DEFAULT '',
    iban             TEXT    NOT NULL DEFAULT '',
    iban_postale     TEXT    NOT NULL DEFAULT '',
    conto_postale    TEXT    NOT NULL DEFAULT '',
    aux_digit        INTEGER NOT NULL DEFAULT 3,
    application_code TEXT    NOT NULL DEFAULT '',
    segregation_code TEXT    NOT NULL DEFAULT '',
    intermediary_id  TEXT    NOT NULL DEFAULT '',
    station_id       TEXT    NOT NULL DEFAULT '',
    station_password TEXT    NOT NULL DEFAULT '',
    redirect_url     TEXT    NOT NULL DEFAULT '',
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    CONSTRAINT ente_cod_ipa_key UNIQUE (cod_ipa),
    CONSTRAINT ente_codice_fiscale_key UNIQUE (codice_fiscale)
) STRICT;

CREATE TABLE tipo_dovuto (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    ente_id            INTEGER NOT NULL REFERENCES ente (id) ON DELETE CASCADE,
    code               TEXT    NOT NULL,
    description        TEXT    NOT NULL DEFAULT '',
    enabled            INTEGER NOT NULL DEFAULT 1,
    allow_anonymous_cf INTEGER NOT NULL DEFAULT 0,
    due_date_mandatory INTEGER NOT NULL DEFAULT 0,
    fixed_amount_cents INTEGER NOT NULL DEFAULT 0,
    taxonomy_code      TEXT    NOT NULL DEFAULT '',
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL,
    CONSTRAINT tipo_dovuto_ente_code_key UNIQUE (ente_id, code)
) STRICT;

CREATE TABLE dovuto (
    id                         INTEGER PRIMARY KEY AUTOINCREMENT,
    ente_id                    INTEGER NOT NULL REFERENCES ente (id) ON DELETE CASCADE,
    iud                        TEXT    NOT NULL,
    iuv                        TEXT    NOT NULL DEFAULT '',
    state                      TEXT    NOT NULL,
    tipo_dovuto                TEXT    NOT NULL,
    tipo_versamento            TEXT    NOT NULL DEFAULT '',
    amount_cents               INTEGER NOT NULL,
    commission_cents           INTEGER NOT NULL DEFAULT 0,
    due_date                   TEXT,    -- 2006-01-02, NULL when absent
    causale                    TEXT    NOT NULL DEFAULT '',
    dati_specifici_riscossione TEXT    NOT NULL DEFAULT '',
    bilancio                   TEXT,    -- JSON, NULL when absent
    payer_type                 TEXT    NOT NULL DEFAULT '',
    payer_id                   TEXT    NOT NULL DEFAULT '',
    payer_name                 TEXT    NOT NULL DEFAULT '',
    payer_address              TEXT    NOT NULL DEFAULT '',
    payer_civic                TEXT    NOT NULL DEFAULT '',
    payer_cap                  TEXT    NOT NULL DEFAULT '',
    payer_locality             TEXT    NOT NULL DEFAULT '',
    payer_province             TEXT    NOT NULL DEFAULT '',
    payer_nation               TEXT    NOT NULL DEFAULT '',
    payer_email                TEXT    NOT NULL DEFAULT '',
    secondary                  TEXT,    -- JSON, NULL when absent
    flusso                     TEXT    NOT NULL DEFAULT '',
    created_at                 TEXT    NOT NULL,
    updated_at                 TEXT    NOT NULL,
    -- annulled dovuti stay here, so an IUD is never reusable
    CONSTRAINT dovuto_ente_iud_key UNIQUE (ente_id, iud)
) STRICT;
CREATE UNIQUE INDEX dovuto_ente_iuv_key ON dovuto (ente_id, iuv) WHERE iuv <> '';

CREATE TABLE iuv_sequence (
    ente_id    INTEGER PRIMARY KEY REFERENCES ente (id) ON DELETE CASCADE,
    next_value INTEGER NOT NULL
) STRICT;

CREATE TABLE journal (
    id          INTEGER PRIMARY KEY,
    time        TEXT    NOT NULL,
    direction   TEXT    NOT NULL DEFAULT '',
    component   TEXT    NOT NULL DEFAULT '',
    operation   TEXT    NOT NULL DEFAULT '',
    cod_ipa     TEXT    NOT NULL DEFAULT '',
    iuv         TEXT    NOT NULL DEFAULT '',
    iud         TEXT    NOT NULL DEFAULT '',
    id_session  TEXT    NOT NULL DEFAULT '',
    ccp         TEXT    NOT NULL DEFAULT '',
    esito       TEXT    NOT NULL DEFAULT '',
    fault_code  TEXT    NOT NULL DEFAULT '',
    duration_ms INTEGER NOT NULL DEFAULT 0,
    remote      TEXT    NOT NULL DEFAULT '',
    request     TEXT    NOT NULL DEFAULT '',
    response    TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX journal_time_idx ON journal (time);
CREATE INDEX journal_cod_ipa_time_idx ON journal (cod_ipa, time);
CREATE INDEX journal_operation_time_idx ON journal (operation, time);
CREATE INDEX journal_iuv_idx ON journal (iuv) WHERE iuv <> '';
CREATE INDEX journal_iud_idx ON journal (iud) WHERE iud <> '';
CREATE INDEX journal_id_session_idx ON journal (id_session) WHERE id_session <> '';

-- +goose Down
DROP TABLE journal;
DROP TABLE iuv_sequence;
DROP TABLE dovuto;
DROP TABLE tipo_dovuto;
DROP TABLE ente;
