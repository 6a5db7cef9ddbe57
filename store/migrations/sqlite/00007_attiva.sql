-- +goose Up
-- Modello 3 (paaAttivaRPT): the PSP, intermediario and channel the node
-- named, which nodoInviaRPT must repeat, and the sender's record: attempts,
-- the last outcome, and when the RPT is due (NULL: not for the sender).
ALTER TABLE payment ADD COLUMN psp_id TEXT NOT NULL DEFAULT '';
ALTER TABLE payment ADD COLUMN psp_broker TEXT NOT NULL DEFAULT '';
ALTER TABLE payment ADD COLUMN psp_channel TEXT NOT NULL DEFAULT '';
ALTER TABLE payment ADD COLUMN send_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE payment ADD COLUMN send_next_at TEXT;
ALTER TABLE payment ADD COLUMN send_last TEXT NOT NULL DEFAULT '';
CREATE INDEX payment_send_due_idx ON payment (send_next_at)
    WHERE state = 'RPT_DA_INVIARE' AND send_next_at IS NOT NULL;

-- +goose Down
DROP INDEX payment_send_due_idx;
ALTER TABLE payment DROP COLUMN send_last;
ALTER TABLE payment DROP COLUMN send_next_at;
ALTER TABLE payment DROP COLUMN send_attempts;
ALTER TABLE payment DROP COLUMN psp_channel;
ALTER TABLE payment DROP COLUMN psp_broker;
ALTER TABLE payment DROP COLUMN psp_id;
