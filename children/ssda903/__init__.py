"""SSDA903: the children looked after return. Tables, the DfE validator, export and import."""
