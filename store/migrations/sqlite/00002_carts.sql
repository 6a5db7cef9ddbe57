-- +goose Up
-- A cart is one SIL request's payments; see gateway.Cart.
CREATE TABLE cart (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    id_session        TEXT    NOT NULL,
    token             TEXT    NOT NULL,
    kind              TEXT    NOT NULL,
    state             TEXT    NOT NULL,
    ente_id           INTEGER NOT NULL REFERENCES ente (id),
    cod_ipa           TEXT    NOT NULL,
    show_mypay        TEXT    NOT NULL DEFAULT '',
    return_url        TEXT    NOT NULL DEFAULT '',
    payer             TEXT,    -- JSON, NULL when absent
    email             TEXT    NOT NULL DEFAULT '',
    multi_beneficiary INTEGER NOT NULL DEFAULT 0,
    id_carrello       TEXT    NOT NULL DEFAULT '',
    node_url          TEXT    NOT NULL DEFAULT '',
    node_session      TEXT    NOT NULL DEFAULT '',
    error_message     TEXT    NOT NULL DEFAULT '',
    prepared_at       TEXT,    -- set once by PrepareCart
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL,
    expires_at        TEXT,
    CONSTRAINT cart_id_session_key UNIQUE (id_session),
    CONSTRAINT cart_token_key UNIQUE (token)
) STRICT;
CREATE INDEX cart_node_session_idx ON cart (node_session) WHERE node_session <> '';

-- One RPT. receipt_id names the RT that decides it.
CREATE TABLE payment (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    cart_id      INTEGER NOT NULL REFERENCES cart (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    ente_id      INTEGER REFERENCES ente (id), -- NULL: a beneficiary Ponte does not serve (multi-beneficiary)
    cod_ipa      TEXT    NOT NULL,
    dominio      TEXT    NOT NULL,
    iuv          TEXT    NOT NULL DEFAULT '',
    ccp          TEXT    NOT NULL DEFAULT '',
    state        TEXT    NOT NULL,
    message_id   TEXT    NOT NULL DEFAULT '',
    requested_at TEXT,
    amount_cents INTEGER NOT NULL,
    rpt          BLOB,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL,
    receipt_id   INTEGER REFERENCES receipt (id) ON DELETE SET NULL,
    CONSTRAINT payment_cart_position_key UNIQUE (cart_id, position)
) STRICT;
-- A debt may be attempted several times, each with its own CCP.
CREATE UNIQUE INDEX payment_dominio_iuv_ccp_key ON payment (dominio, iuv, ccp) WHERE ccp <> '';
CREATE INDEX payment_dominio_iuv_idx ON payment (dominio, iuv);

-- The datiSingoloVersamento of a payment, a snapshot of the dovuto they
-- were built from. registered marks an IUD taken for its ente by
-- PrepareCart; an existing dovuto (dovuto_id) already holds its IUD, and
-- may be attempted again after a failure, so it is left out of the key.
CREATE TABLE payment_item (
    id                         INTEGER PRIMARY KEY AUTOINCREMENT,
    payment_id                 INTEGER NOT NULL REFERENCES payment (id) ON DELETE CASCADE,
    position                   INTEGER NOT NULL,
    ente_id                    INTEGER REFERENCES ente (id), -- NULL: a beneficiary Ponte does not serve (multi-beneficiary)
    dovuto_id                  INTEGER REFERENCES dovuto (id),
    iud                        TEXT    NOT NULL,
    iuv                        TEXT    NOT NULL DEFAULT '',
    state                      TEXT    NOT NULL DEFAULT '',
    tipo_dovuto                TEXT    NOT NULL,
    tipo_versamento            TEXT    NOT NULL DEFAULT '',
    amount_cents               INTEGER NOT NULL,
    commission_cents           INTEGER NOT NULL DEFAULT 0,
    due_date                   TEXT,    -- 2006-01-02, NULL when absent
    causale                    TEXT    NOT NULL DEFAULT '',
    dati_specifici_riscossione TEXT    NOT NULL DEFAULT '',
    bilancio                   TEXT,    -- JSON, NULL when absent
    payer                      TEXT,    -- JSON, NULL when absent
    secondary                  TEXT,    -- JSON, NULL when absent
    flusso                     TEXT    NOT NULL DEFAULT '',
    registered                 INTEGER NOT NULL DEFAULT 0,
    created_at                 TEXT    NOT NULL,
    updated_at                 TEXT    NOT NULL,
    CONSTRAINT payment_item_payment_position_key UNIQUE (payment_id, position)
) STRICT;
CREATE INDEX payment_item_ente_iud_idx ON payment_item (ente_id, iud);
CREATE UNIQUE INDEX payment_item_registered_iud_key ON payment_item (ente_id, iud)
    WHERE registered AND dovuto_id IS NULL;

-- Every RT received, exactly as received; rt_sha256 (hex) spots the same
-- document sent again.
CREATE TABLE receipt (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    payment_id   INTEGER NOT NULL REFERENCES payment (id) ON DELETE CASCADE,
    esito        TEXT    NOT NULL,
    amount_cents INTEGER NOT NULL,
    message_id   TEXT    NOT NULL DEFAULT '',
    issued_at    TEXT,
    tipo_firma   TEXT    NOT NULL DEFAULT '',
    rt           BLOB    NOT NULL,
    rt_sha256    TEXT    NOT NULL,
    received_at  TEXT    NOT NULL,
    CONSTRAINT receipt_payment_rt_key UNIQUE (payment_id, rt_sha256)
) STRICT;

-- +goose Down
DROP TABLE receipt;
DROP TABLE payment_item;
DROP TABLE payment;
DROP TABLE cart;
