// Package rpt builds and reads the legacy pagoPA payment request (RPT) and
// receipt (RT) documents of PagInf_RPT_RT_6_2_0, and checks that an RT
// echoes the RPT it answers.
//
// The wire types live in generated/rptrt; this package maps them to and
// from its own plain types so that callers never see them. Every document
// that enters through ParseRPT or ParseRT is validated against Ponte's copy
// of the schema first, and every document Build, BuildRT and EncodeRT write
// is validated before it is returned, so a bad field fails here and not as
// PPT_SINTASSI_XSD at the node.
//
// Dates: dataOraMessaggioRichiesta/Ricevuta carry no zone and are Europe/Rome
// local time; xs:date values are civil dates written as given.
package rpt
