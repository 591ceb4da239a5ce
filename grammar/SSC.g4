// The ssc architecture language.
//
// One grammar describes models, GPUs and parallel plans. The grammar is
// deliberately small and regular: every block holds statements, and a
// statement is either a property (`hidden = 4096;`) or a clause made of a
// head word and terms (`attn gqa(kv=8) window=4096 rope yarn(4x);`). Which
// heads, terms and options exist is decided by Sema, so that a misspelled
// option gets a precise "unknown option" diagnostic instead of a syntax error.
//
// The generated parser is used only inside lib/Frontend; everything after it
// sees ssc's own AST (include/ssc/AST/AST.h). docs/language.md documents the
// language for users.
grammar SSC;

// ---------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------

file        : decl* EOF ;

decl        : importDecl
            | modelDecl
            | gpuDecl
            | planDecl
            ;

importDecl  : IMPORT STRING ';' ;

modelDecl   : MODEL name '{' modelItem* '}' ;
modelItem   : layerDecl
            | stmt
            ;
layerDecl   : LAYER name (EXTENDS base=name)? '{' stmt* '}' ;

gpuDecl     : GPU name (EXTENDS base=name)? '{' stmt* '}' ;

planDecl    : PLAN name '{' planItem* '}' ;
planItem    : phaseDecl
            | layerDecl
            | stmt
            ;
phaseDecl   : phase=(PREFILL | DECODE) '{' phaseItem* '}' ;
phaseItem   : layerDecl
            | stmt
            ;

// A property binds a value (possibly a comma-separated list, possibly a layer
// pattern); a clause is a head word with optional arguments and terms.
stmt        : name '=' value ';'                # propertyStmt
            | name args? term* ';'              # clauseStmt
            ;

term        : name '=' item                     # assignTerm
            | name args?                        # wordTerm
            ;

args        : '(' (arg (',' arg)*)? ')' ;
arg         : name '=' item                     # namedArg
            | item                              # positionalArg
            ;

// Property values may repeat and cycle layer names:
//   layers = 3 x dense, 58 x moe;
//   layers = 62 of [5 x local, global];
value       : element (',' element)* ;
element     : repeatPrefix* elementBase ;
repeatPrefix: INT X
            | FACTOR
            ;
elementBase : INT OF '[' value ']'              # cycleElement
            | item                              # itemElement
            ;

item        : '[' value? ']'                    # listItem
            | MINUS? (INT | FLOAT)              # numberItem
            | FACTOR                            # factorItem
            | STRING                            # stringItem
            | (TRUE_ | FALSE_)                  # boolItem
            | name args?                        # refItem
            ;

// `x` and `of` are keywords only between a count and what it counts.
name        : ID | X | OF ;

// ---------------------------------------------------------------------------
// Lexer
// ---------------------------------------------------------------------------

IMPORT      : 'import' ;
MODEL       : 'model' ;
LAYER       : 'layer' ;
GPU         : 'gpu' ;
PLAN        : 'plan' ;
PREFILL     : 'prefill' ;
DECODE      : 'decode' ;
EXTENDS     : 'extends' ;
X           : 'x' ;
OF          : 'of' ;
TRUE_       : 'true' ;
FALSE_      : 'false' ;

LBRACE      : '{' ;
RBRACE      : '}' ;
LPAREN      : '(' ;
RPAREN      : ')' ;
LBRACK      : '[' ;
RBRACK      : ']' ;
SEMI        : ';' ;
COMMA       : ',' ;
EQUALS      : '=' ;
MINUS       : '-' ;

// `4x`, `1.5x`: a scaling factor (rope scaling) or, before a layer name, a
// repeat count.
FACTOR      : DIGITS ('.' DIGITS)? 'x' ;
FLOAT       : DIGITS '.' DIGITS EXPONENT?
            | DIGITS EXPONENT
            ;
INT         : DIGITS ;

// Names may contain '-' and '.' between alphanumeric runs, so that model and
// GPU names read as they are spelled elsewhere: llama-3.1-8b, gb200-nvl72.
ID          : [A-Za-z_] [A-Za-z0-9_]* ([-.] [A-Za-z0-9_]+)* ;

STRING      : '"' (~["\\\r\n] | '\\' ~[\r\n])* '"' ;

LINE_COMMENT  : '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
WS          : [ \t\r\n\f]+ -> skip ;

fragment DIGITS   : [0-9] [0-9_]* ;
fragment EXPONENT : [eE] [+-]? [0-9]+ ;
