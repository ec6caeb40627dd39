/** A standalone SMTP sink for trying the service by hand: `npx tsx test/support/print-sink.ts [port]` prints each message as it arrives. */
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

const port = Number(process.argv[2] ?? 2525);
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, session, callback) {
    simpleParser(stream).then((m) => {
      const planned = m.headers.get('x-followup-planned-at');
      process.stdout.write(`${new Date().toISOString()}  to=${session.envelope.rcptTo.map((r) => r.address).join(',')}  planned=${String(planned ?? '-')}  subject=${m.subject}\n`);
      callback();
    }, callback);
  },
});
server.listen(port, '127.0.0.1', () => process.stdout.write(`SMTP sink on smtp://127.0.0.1:${port}\n`));
