package wire

import "github.com/ponte-pagopa/ponte/gateway"

// Amount is an xsd:decimal money value. On the wire it is always `\d+\.\d{2}`,
// never a float form, so it converts losslessly to and from gateway.Cents.
type Amount gateway.Cents

// AmountOf converts domain cents to the wire form.
func AmountOf(c gateway.Cents) Amount { return Amount(c) }

// Cents returns the domain value.
func (a Amount) Cents() gateway.Cents { return gateway.Cents(a) }

// String writes the two-decimal form.
func (a Amount) String() string { return gateway.Cents(a).String() }

// MarshalText writes the two-decimal form.
func (a Amount) MarshalText() ([]byte, error) { return []byte(gateway.Cents(a).String()), nil }

// UnmarshalText accepts only the two-decimal form (surrounding space trimmed).
func (a *Amount) UnmarshalText(b []byte) error {
	c, err := gateway.ParseAmount(string(b))
	if err != nil {
		return err
	}
	*a = Amount(c)
	return nil
}

// Decimal is an xsd:decimal that is not money: kept as the text received.
type Decimal string
