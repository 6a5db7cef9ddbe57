-- +goose Up
-- MyPay's optional JWT on the outcome push (HS512): key id, issuer
-- (client id), subject (client mail) and the base64 secret. Empty: none.
ALTER TABLE ente ADD COLUMN push_jwt_kid TEXT NOT NULL DEFAULT '';
ALTER TABLE ente ADD COLUMN push_jwt_issuer TEXT NOT NULL DEFAULT '';
ALTER TABLE ente ADD COLUMN push_jwt_subject TEXT NOT NULL DEFAULT '';
ALTER TABLE ente ADD COLUMN push_jwt_secret TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE ente DROP COLUMN push_jwt_secret;
ALTER TABLE ente DROP COLUMN push_jwt_subject;
ALTER TABLE ente DROP COLUMN push_jwt_issuer;
ALTER TABLE ente DROP COLUMN push_jwt_kid;
