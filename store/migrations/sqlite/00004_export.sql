-- +goose Up
-- One row per paid datiSingoloPagamento of a positive receipt, written by
-- RecordRT, so that an export streams rows without parsing RTs. fields is
-- the CSV text (already quoted, ';'-separated) of the export columns codIuv
-- … datiSpecificiRiscossione; ricevuta the same for indiceDatiSingoloPagamento
-- … blbRtDatiPagDatiSingPagAllegatoRicevutaTest. secondary marks the
-- second payment of a multi-beneficiary cart. updated_at is the
-- receipt's reception time (incremental exports); paid_on its
-- dataEsitoSingoloPagamento (exports by day).
CREATE TABLE pagato (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    ente_id      INTEGER     NOT NULL REFERENCES ente (id) ON DELETE CASCADE,
    payment_id   INTEGER     NOT NULL REFERENCES payment (id) ON DELETE CASCADE,
    receipt_id   INTEGER     NOT NULL REFERENCES receipt (id) ON DELETE CASCADE,
    position     INTEGER     NOT NULL,
    iud          TEXT        NOT NULL,
    iuv          TEXT        NOT NULL,
    tipo_dovuto  TEXT        NOT NULL,
    paid_on      TEXT        NOT NULL,
    amount_cents INTEGER     NOT NULL,
    updated_at   TEXT        NOT NULL,
    secondary    INTEGER     NOT NULL DEFAULT 0,
    iuf          TEXT        NOT NULL DEFAULT '',
    num_riga     INTEGER     NOT NULL DEFAULT 0,
    fields       TEXT        NOT NULL,
    tipo_firma   TEXT        NOT NULL DEFAULT '',
    ricevuta     TEXT        NOT NULL,
    bilancio     TEXT,       -- JSON, NULL when absent
    CONSTRAINT pagato_payment_position_key UNIQUE (payment_id, position)
) STRICT;
CREATE INDEX pagato_ente_paid_idx ON pagato (ente_id, paid_on, id);
CREATE INDEX pagato_ente_updated_idx ON pagato (ente_id, updated_at, id);

-- One booked export (MyPay's mygov_export_dovuti and
-- mygov_flusso_export_scaduti); lease_owner and lease_until hand the work
-- to one process at a time.
CREATE TABLE export_flusso (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT        NOT NULL,
    ente_id       INTEGER     NOT NULL REFERENCES ente (id) ON DELETE CASCADE,
    cod_ipa       TEXT        NOT NULL,
    request_token TEXT        NOT NULL,
    date_from     TEXT        NOT NULL,
    date_to       TEXT        NOT NULL,
    incremental   INTEGER     NOT NULL DEFAULT 0,
    ricevuta      INTEGER     NOT NULL DEFAULT 0,
    mypivot       INTEGER     NOT NULL DEFAULT 0,
    tipo_dovuto   TEXT        NOT NULL DEFAULT '',
    version       TEXT        NOT NULL DEFAULT '',
    state         TEXT        NOT NULL,
    path          TEXT        NOT NULL DEFAULT '',
    rows_written  INTEGER     NOT NULL DEFAULT 0,
    lease_owner   TEXT        NOT NULL DEFAULT '',
    lease_until   TEXT,
    attempts      INTEGER     NOT NULL DEFAULT 0,
    created_at    TEXT        NOT NULL,
    updated_at    TEXT        NOT NULL,
    finished_at   TEXT,
    CONSTRAINT export_flusso_request_token_key UNIQUE (request_token)
) STRICT;
CREATE INDEX export_flusso_pending_idx ON export_flusso (id) WHERE state IN ('LOAD_EXPORT', 'EXPORT_IN_ELAB');

-- The scaduti selection: open dovuti of an ente by due date.
CREATE INDEX dovuto_ente_due_idx ON dovuto (ente_id, due_date) WHERE due_date IS NOT NULL;

-- +goose Down
DROP INDEX dovuto_ente_due_idx;
DROP TABLE export_flusso;
DROP TABLE pagato;
