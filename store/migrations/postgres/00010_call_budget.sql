-- +goose Up
-- Calls to the node shared by every instance, per minute: receipt
-- recovery's global cap.
CREATE TABLE call_budget (
    name   TEXT    NOT NULL PRIMARY KEY,
    minute TIMESTAMPTZ NOT NULL,
    used   INTEGER NOT NULL
);

-- +goose Down
DROP TABLE call_budget;
