package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func generateAll(root, out string) error {
	root, err := filepath.Abs(root)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "ponte-gen-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for _, in := range inputs {
		src, err := generate(root, tmp, in)
		if err != nil {
			return fmt.Errorf("%s: %w", in.pkg, err)
		}
		dir := filepath.Join(out, in.pkg)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, in.pkg+".go"), src, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// generate runs gowsdl for one input and returns the repaired source.
func generate(root, tmp string, in input) ([]byte, error) {
	path, err := locate(root, in.file)
	if err != nil {
		return nil, err
	}
	m, err := loadModel(path)
	if err != nil {
		return nil, err
	}
	wsdl := path
	if strings.HasSuffix(path, ".xsd") {
		// gowsdl reads only wsdl:types, so a plain XSD goes through a wrapper.
		if wsdl, err = wrapXSD(tmp, in.pkg, path, m); err != nil {
			return nil, err
		}
	}
	cmd := exec.Command("go", "tool", "gowsdl", "-p", in.pkg, "-d", tmp, "-o", in.pkg+".go", wsdl)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("gowsdl: %w\n%s", err, stderr.String())
	}
	gsrc, err := os.ReadFile(filepath.Join(tmp, in.pkg, in.pkg+".go"))
	if err != nil {
		return nil, err
	}
	r, err := newRewriter(m, in.pkg, in.file)
	if err != nil {
		return nil, err
	}
	return r.run(gsrc)
}

func locate(root, file string) (string, error) {
	for _, dir := range []string{"wsdl", "xsd"} {
		p := filepath.Join(root, dir, file)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found in %s/wsdl or %s/xsd", file, root, root)
}

func wrapXSD(tmp, pkg, xsd string, m *model) (string, error) {
	if len(m.order) == 0 {
		return "", fmt.Errorf("%s declares no global element", xsd)
	}
	ns := m.order[0].ns
	doc := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:ponte:gen:%[1]s">
  <wsdl:types>
    <xsd:schema targetNamespace="urn:ponte:gen:%[1]s">
      <xsd:import namespace="%[2]s" schemaLocation="%[3]s"/>
    </xsd:schema>
  </wsdl:types>
</wsdl:definitions>
`, pkg, ns, xsd)
	p := filepath.Join(tmp, pkg+".wsdl")
	return p, os.WriteFile(p, []byte(doc), 0o644)
}
