-- +goose Up
-- Receipt recovery also looks at RPTs prepared for a cart whose sending
-- was never recorded (the sending process died): they stay RPT_DA_INVIARE
-- with their RPT stored.
CREATE INDEX payment_unconfirmed_idx ON payment (requested_at) WHERE state = 'RPT_DA_INVIARE' AND rpt IS NOT NULL;

-- +goose Down
DROP INDEX payment_unconfirmed_idx;
