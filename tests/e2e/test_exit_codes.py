"""Exit codes, as README's table documents them and scripts rely on (restic's): 0 ok,
1 failure, 2 usage, 3 archive refused, 10 no vault, 11 vault locked, 12 wrong passphrase,
130 interrupted. (11 and 130: test_crash_safety.py; 12: test_keys.py and others.)"""
import json
import os

from harness import VaultTestCase, export_path, generate, tree_bytes, zip_of


class ExitCodes(VaultTestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder, _ = generate(months=3, conversations=20, seed=61)

    def test_a_command_on_a_missing_vault_exits_10(self):
        self.assertFailsWithOneLine(self.gv("list"), "no vault at", code=10)

    def test_a_wrong_passphrase_exits_12(self):
        self.init_vault()
        r = self.gv("list", env={"GPTVAULT_PASSPHRASE": "not the passphrase"})
        self.assertFailsWithOneLine(r, "wrong passphrase", code=12)

    def test_a_usage_error_exits_2(self):
        self.assertEqual(self.gv("list", "--no-such-flag").returncode, 2)

    def test_several_archives_add_what_they_can_and_name_each_refused_one_with_exit_3(self):
        self.init_vault()
        broken = os.path.join(self.dir, "broken.zip")
        with open(broken, "wb") as f:
            f.write(b"not a zip" * 100)
        empty = zip_of(os.path.join(self.dir, "empty.zip"), {"conversations.json": "[]"})
        r = self.gv("add", export_path(self.folder, 1), broken, export_path(self.folder, 3), empty)
        err = r.stderr.decode(errors="replace")
        self.assertEqual(r.returncode, 3, err)
        # The archives added may warn about their conversations; then the refusals.
        lines = [line for line in err.strip().splitlines() if not line.startswith("warning: ")]
        self.assertEqual(lines[0], "gptvault: 2 of 4 archives were refused (the others were added):")
        self.assertEqual(len(lines), 3, err)
        self.assertTrue(lines[1].startswith("  broken.zip: "), err)
        self.assertTrue(lines[2].startswith("  empty.zip: "), err)
        log = json.loads(self.gv_ok("log", "--json").stdout)
        self.assertEqual([s["source"] for s in log], ["export-01.zip", "export-03.zip"])

    def test_one_refused_archive_is_one_line_with_exit_3_and_the_vault_unchanged(self):
        self.init_vault()
        before = tree_bytes(self.vault)
        empty = zip_of(os.path.join(self.dir, "empty.zip"), {"conversations.json": "[]"})
        self.assertFailsWithOneLine(self.gv("add", empty), "zero conversations", code=3)
        self.assertEqual(tree_bytes(self.vault), before)



class CommandLineLikeGit(VaultTestCase):
    def test_a_mistyped_command_is_a_usage_error_that_suggests_the_right_one(self):
        r = self.gv("lsit")
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stderr, b"gptvault: unknown command 'lsit' (did you mean 'list'?)\n")
        r = self.gv("--vault", self.vault, "lgo")
        self.assertEqual(r.stderr, b"gptvault: unknown command 'lgo' (did you mean 'log'?)\n")

    def test_help_and_version_are_commands_too(self):
        self.assertIn(b"Subcommands:", self.gv_ok("help").stdout)
        self.assertIn(b"Usage: gptvault restore", self.gv_ok("help", "restore").stdout)
        self.assertRegex(self.gv_ok("version").stdout, rb"^gptvault \d+\.\d+\.\d+\n$")
        self.assertEqual(self.gv("help", "nosuch").returncode, 2)

    def test_a_usage_error_points_at_the_help_of_its_command(self):
        r = self.gv("list", "--no-such-flag")
        self.assertEqual(r.returncode, 2)
        self.assertTrue(r.stderr.endswith(b"(see gptvault list --help)\n"), r.stderr)

    def test_help_shows_no_parser_type_noise(self):
        self.assertNotIn(b"FLOAT", self.gv_ok("--help").stdout)
