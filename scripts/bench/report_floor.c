/* The floor for the report benchmark: the same raw-data cells written with libxlsxwriter in a
 * bare C loop (constant memory, ZIP64). Reads the canonical CSV that `sipas export` writes:
 * cells that are whole numbers in item columns become numbers, other non-empty cells strings.
 *   report_floor IN.csv OUT.xlsx FIRST_ITEM_COLUMN */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s IN.csv OUT.xlsx FIRST_ITEM_COLUMN\n", argv[0]); return 2; }
    FILE *in = fopen(argv[1], "r");
    if (!in) { perror(argv[1]); return 1; }
    int first_item = atoi(argv[3]);
    lxw_workbook_options options = {.constant_memory = LXW_TRUE, .tmpdir = NULL, .use_zip64 = LXW_TRUE};
    lxw_workbook *wb = workbook_new_opt(argv[2], &options);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Dữ liệu");
    char *line = NULL, *cell = malloc(1 << 20);
    size_t cap = 0;
    ssize_t len;
    lxw_row_t row = 0;
    while ((len = getline(&line, &cap, in)) > 0) {
        char *p = line;
        if (row == 0 && (unsigned char)p[0] == 0xEF) p += 3; /* BOM */
        lxw_col_t col = 0;
        for (;;) {
            size_t n = 0;
            int quoted = 0;
            if (*p == '"') {
                quoted = 1;
                p++;
                for (;;) {
                    if (*p == '"' && p[1] == '"') { cell[n++] = '"'; p += 2; }
                    else if (*p == '"') { p++; break; }
                    else if (*p == '\0') {
                        /* A quoted cell with a line break: read on. */
                        if ((len = getline(&line, &cap, in)) <= 0) break;
                        p = line;
                    } else cell[n++] = *p++;
                }
            } else {
                while (*p && *p != ',' && *p != '\n' && *p != '\r') cell[n++] = *p++;
            }
            cell[n] = '\0';
            if (n > 0) {
                char *end;
                long v = strtol(cell, &end, 10);
                if (!quoted && row > 0 && col >= first_item && *end == '\0') worksheet_write_number(ws, row, col, (double)v, NULL);
                else worksheet_write_string(ws, row, col, cell, NULL);
            }
            col++;
            if (*p == ',') { p++; continue; }
            break;
        }
        row++;
    }
    free(line);
    free(cell);
    fclose(in);
    return workbook_close(wb) == LXW_NO_ERROR ? 0 : 1;
}
