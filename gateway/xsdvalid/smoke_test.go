package xsdvalid

import (
	"os"
	"testing"
)

func TestSmoke(t *testing.T) {
	for _, p := range []struct{ dir, name string }{
		{"/work/shared/reference/mypay/wsdl/pa", "PagInf_Dovuti_Pagati_6_2_0.xsd"},
		{"/work/shared/reference/pagopa/pagopa-api/gad/xsd", "PagInf_RPT_RT_6_2_0.xsd"},
		{"/work/shared/reference/pagopa/pagopa-api/xsd-common", "FlussoRiversamento_1_0_4.xsd"},
	} {
		s, err := Compile(os.DirFS(p.dir), p.name)
		if err != nil {
			t.Fatal(err)
		}
		t.Log(len(s.elements))
		err = s.ValidateBytes([]byte(`<pay_i:Versamento xmlns:pay_i="http://www.regione.veneto.it/schemas/2012/Pagamenti/Ente/"><pay_i:versioneOggetto>6.0</pay_i:versioneOggetto><pay_i:foo/></pay_i:Versamento>`))
		t.Log(err)
	}
}
