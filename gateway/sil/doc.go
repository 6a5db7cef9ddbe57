// Package sil implements MyPay's PagamentiTelematiciDovutiPagati SOAP
// service (the "SIL" interface enti call) on top of gateway/soap.
//
// Every answer mirrors MyPay: the same fault codes, checked in the same
// order, with the same faultString texts, `id` = the caller's codIpaEnte and
// `esito` KO where the response carries one. Generated wire types
// (generated/sil) never leave this package: mapping.go turns them into the
// small request views the operations work on and back.
package sil
