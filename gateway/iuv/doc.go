// Package iuv holds the pagoPA identifiers Ponte generates and checks: the
// IUV (identificativo univoco versamento), the 18-digit numero avviso (NAV)
// printed on payment notices and the CCP of SANP 2.x RPTs. Pure functions,
// no I/O: the progressivo comes from the caller's sequence.
package iuv
