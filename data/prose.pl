#!/usr/bin/perl
# Turns the text corpus's Debian sources into plain-prose documents for
# data/build_corpora.sh (see data/README.md).  Deterministic: output depends only on
# the input bytes and the arguments.  One document per file in OUTDIR.
#   prose.pl dict    OUTDIR NAME DICT    a dictd database (uncompressed): entries, markup removed
#   prose.pl wordnet OUTDIR DATA...      WordNet data.* files: "words: gloss", one synset a line
#   prose.pl pod     OUTDIR FILE...      Perl POD: prose paragraphs and headings, no code
#   prose.pl split   OUTDIR FILE...      plain text cut at blank lines
# Long texts are cut at paragraph boundaries into documents of about $TARGET bytes, so
# the build's hash split sees many documents and none exceeds its size limit.
use strict;
use warnings;

my $TARGET = 32768;
my ($mode, $out, @in) = @ARGV;
die "usage: prose.pl dict|wordnet|pod|split OUTDIR FILE...\n" unless $mode && $out && @in;
mkdir $out;

sub slurp {
    my ($f) = @_;
    open(my $fh, '<:raw', $f) or die "prose.pl: $f: $!\n";
    local $/;
    my $t = <$fh>;
    close $fh;
    return $t;
}

# Cut text into documents at blank lines; writes OUTDIR/NAME-NNNN.txt.
sub emit {
    my ($name, $text) = @_;
    $text =~ s/[ \t]+$//mg;
    $text =~ s/^[ \t]*([=*~#_^+-])\1{3,}\n//mg;   # heading underlines and rules
    $text =~ s/\n{3,}/\n\n/g;
    $text =~ s/^\n+//;
    my ($k, $buf) = (0, '');
    my $flush = sub {
        return if $buf !~ /\S/;
        my $f = sprintf("%s/%s-%04d.txt", $out, $name, $k++);
        open(my $fh, '>:raw', $f) or die "prose.pl: $f: $!\n";
        print $fh $buf;
        close $fh;
        $buf = '';
    };
    for my $p (split /\n\n/, $text) {
        $buf .= "$p\n\n";
        $flush->() if length($buf) >= $TARGET;
    }
    $flush->();
}

sub base { my ($f) = @_; $f =~ s{.*/}{}; $f =~ s/\.(pod|txt|text|gz)$//g; return $f; }

if ($mode eq 'dict') {
    # Entries start at column 0.  The database's own notices (entries named "00-...";
    # GCIDE's run up to its first entry "A \A\") go, and so do GCIDE's source tags
    # ("[1913 Webster]"), pronunciations (\Af*fect"\), cross-reference braces, and its
    # accent codes: [=a] or ['e] become the bare letter.
    my ($name, $f) = @in;
    my ($t, $gc) = (slurp($f), $name eq 'gcide');
    my $i = index($t, "\nA \\A\\");
    $t = substr($t, $i + 1) if $i >= 0;
    my (@entries, $cur, $skip) = ();
    for my $l (split /\n/, $t) {
        next if $l =~ /^\s*\[[^\]]*(Webster|WordNet|PJC)[^\]]*\]/;
        if ($l =~ /^\S/) {
            push @entries, $cur if defined $cur && !$skip;
            ($cur, $skip) = ('', $l =~ /^00-/);
        }
        next unless defined $cur;
        $l =~ s/[{}]//g;
        $l =~ s/ ?\\[^\\]*\\//g if $gc;
        $l =~ s/\[[=~.'"`-]([a-zA-Z])\]/$1/g;
        $l =~ s/\[([a-zA-Z])[\^=~-]\]/$1/g;
        $l =~ s/\[(ae|oe|AE|OE)\]/$1/g;
        $l =~ s/\[([a-z])(mac|um|cr|ac)\]/$1/g;
        $l =~ s/\[[a-z]{2,5}\]//g;
        $l =~ s/^ {1,4}//;
        $cur .= "$l\n";
    }
    push @entries, $cur if defined $cur && !$skip;
    my ($k, $buf) = (0, '');
    for my $e (@entries) {
        $e =~ s/\n{2,}/\n/g;
        $buf .= "$e\n";
        if (length($buf) >= $TARGET) { emit(sprintf("%s%04d", $name, $k++), $buf); $buf = ''; }
    }
    emit(sprintf("%s%04d", $name, $k++), $buf) if $buf ne '';
} elsif ($mode eq 'wordnet') {
    # data.* lines: offset lex_filenum ss_type w_cnt(hex) word lex_id ... | gloss
    for my $f (@in) {
        my $buf = '';
        open(my $fh, '<:raw', $f) or die "prose.pl: $f: $!\n";
        while (my $l = <$fh>) {
            next if $l =~ /^ /;   # the licence header
            my ($head, $gloss) = split /\s\|\s/, $l, 2;
            next unless defined $gloss;
            my @w = split / /, $head;
            my $n = hex($w[3]);
            my @words = map { my $x = $w[4 + 2 * $_]; $x =~ s/\(.*\)$//; $x =~ tr/_/ /; $x } 0 .. $n - 1;
            $gloss =~ s/\s+$//;
            $buf .= join(', ', @words) . ": $gloss\n";
        }
        close $fh;
        my $name = base($f);
        $name =~ s/^data\./wordnet-/;
        # one synset a line: paragraphs of 50 lines so emit() can cut them
        my @lines = split /\n/, $buf;
        my $text = '';
        for my $i (0 .. $#lines) { $text .= "$lines[$i]\n"; $text .= "\n" if $i % 50 == 49; }
        emit($name, $text);
    }
} elsif ($mode eq 'pod') {
    for my $f (@in) {
        my ($text, $skip) = ('', 0);
        for my $p (split /\n[ \t]*\n/, slurp($f)) {
            if ($p =~ /^=(\w+)[ \t]*(.*)/s) {
                my ($cmd, $rest) = ($1, $2);
                if ($cmd eq 'begin') { $skip = 1; next; }
                if ($cmd eq 'end') { $skip = 0; next; }
                next unless $cmd =~ /^(head\d|item)$/;
                $rest =~ s/^\*\s*//;
                $rest =~ s/^\d+\.?\s*$//;
                next if $rest !~ /\S/;
                $p = $rest;
            }
            next if $skip || $p =~ /^[ \t]/;   # verbatim paragraphs are code
            $p =~ s/E<gt>/>/g; $p =~ s/E<lt>/</g; $p =~ s/E<verbar>/|/g; $p =~ s/E<sol>/\//g;
            $p =~ s/E<(\w+)>/$1/g;
            $p =~ s/[XZ]<[^<>]*>//g;
            $p =~ s/[A-Z]<<+\s+(.*?)\s+>>+/$1/gs;
            1 while $p =~ s/[BCFIS]<([^<>]*)>/$1/g;
            $p =~ s/L<([^<>|]*)\|[^<>]*>/$1/g;
            $p =~ s/L<"?\/?"?([^<>]*?)"?>/$1/g;
            1 while $p =~ s/[A-Z]<([^<>]*)>/$1/g;
            $text .= "$p\n\n";
        }
        emit(base($f), $text);
    }
} elsif ($mode eq 'split') {
    emit(base($_), slurp($_)) for @in;
} else {
    die "prose.pl: unknown mode '$mode'\n";
}
