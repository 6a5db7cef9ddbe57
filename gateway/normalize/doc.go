// Package normalize cleans the soggetto pagatore's address data the way
// MyPay does before storing a dovuto (paaSILImportaDovuto): addresses lose
// accents and unsupported characters, nation, province and CAP are kept only
// when recognisable, e-mails are checked against the SIL pattern. Values
// that do not survive come back as "" (MyPay's null). No I/O.
package normalize
