-- Databases of the stack, as the local starter creates them.
CREATE DATABASE ledger;
CREATE DATABASE apicurio;
