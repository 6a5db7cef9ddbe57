-- +goose Up
-- The ente's URL for MyPay's push of payment outcomes (empty: no push).
ALTER TABLE ente ADD COLUMN push_url TEXT NOT NULL DEFAULT '';

-- One push of one paid dovuto to its ente, queued with the receipt in the
-- same transaction. state DA_INVIARE (due at next_at), INVIATO, FALLITO
-- (dead letter, after max attempts); lease_owner and lease_until hand a
-- due push to one process at a time.
CREATE TABLE push_esito (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    ente_id     INTEGER NOT NULL REFERENCES ente (id) ON DELETE CASCADE,
    payment_id  INTEGER NOT NULL REFERENCES payment (id) ON DELETE CASCADE,
    receipt_id  INTEGER NOT NULL REFERENCES receipt (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    iud         TEXT    NOT NULL,
    iuv         TEXT    NOT NULL,
    paid_on     TEXT    NOT NULL,
    state       TEXT    NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at     TEXT,
    last_error  TEXT    NOT NULL DEFAULT '',
    lease_owner TEXT    NOT NULL DEFAULT '',
    lease_until TEXT,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    sent_at     TEXT,
    CONSTRAINT push_esito_receipt_position_key UNIQUE (receipt_id, position)
) STRICT;
CREATE INDEX push_esito_due_idx ON push_esito (next_at) WHERE state = 'DA_INVIARE';
CREATE INDEX push_esito_ente_paid_idx ON push_esito (ente_id, paid_on);

-- +goose Down
DROP TABLE push_esito;
ALTER TABLE ente DROP COLUMN push_url;
