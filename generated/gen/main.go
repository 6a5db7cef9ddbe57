// Command gen regenerates the wire types under generated/: it runs gowsdl
// v0.5.0 (the go.mod tool) on each WSDL or XSD of wsdl/ and xsd/, then
// repairs the v0.5.0 output with what the schemas say (occurrences, money,
// dates, base64, namespaces) and keeps only the types.
//
// Usage, from the repository root: go run ./generated/gen [-root .] [-out generated]
package main

import (
	"flag"
	"fmt"
	"os"
)

// input is one generated package.
type input struct {
	pkg  string
	file string // found in wsdl/ or xsd/
}

var inputs = []input{
	{"sil", "PagamentiTelematiciDovutiPagati.wsdl"},
	{"nodoperpa", "NodoPerPa.wsdl"},
	{"papernodo", "PaPerNodo.wsdl"},
	{"papernodopsp", "PaPerNodoPagamentoPsp.wsdl"},
	{"pafornode", "paForNode.wsdl"},
	{"nodeforpa", "nodeForPa.wsdl"},
	{"rptrt", "PagInf_RPT_RT_6_2_0.xsd"},
	{"riversamento", "FlussoRiversamento_1_0_4.xsd"},
}

func main() {
	root := flag.String("root", ".", "repository root (holds go.mod, wsdl/ and xsd/)")
	out := flag.String("out", "", "output directory (default <root>/generated)")
	flag.Parse()
	if *out == "" {
		*out = *root + "/generated"
	}
	if err := generateAll(*root, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
