"""CSV import and export of the archive's rows: the formats are described in docs/csv.md.

`resources` defines each format (one django-import-export resource per kind of row);
`files` reads and writes whole files for the commands; `admin` plugs the same resources
into the admin.
"""
