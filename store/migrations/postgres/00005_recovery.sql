-- +goose Up
-- Receipt recovery: how often Ponte asked the node about an RPT whose RT
-- did not come, what it last found, and when to ask again.
ALTER TABLE payment ADD COLUMN recovery_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE payment ADD COLUMN recovery_next_at TIMESTAMPTZ;
ALTER TABLE payment ADD COLUMN recovery_last TEXT NOT NULL DEFAULT '';
CREATE INDEX payment_pending_idx ON payment (requested_at) WHERE state = 'RPT_INVIATA';

-- +goose Down
DROP INDEX payment_pending_idx;
ALTER TABLE payment DROP COLUMN recovery_last;
ALTER TABLE payment DROP COLUMN recovery_next_at;
ALTER TABLE payment DROP COLUMN recovery_attempts;
