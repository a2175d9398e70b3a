export { seededRandom, rms, whiteNoise, pinkNoise } from './noise';
export { activeMask, findLag, measureSnrDb, mixAtSnr, speechToNoiseRatioDb, type SnrOptions } from './snr';
export { resampleForTest } from './resample';
export { encodeWavPcm16, decodeWavPcm16 } from './wav';
export { synthesizeSpeech, type FliteVoice, type SynthesizeOptions } from './speech';
export { measureRealTimeFactor } from './timing';
export { toneFraction } from './tone';
export { testLocalStorage } from './local-storage';
export {
  linkIn,
  MailpitMailbox,
  OutboxMailbox,
  parseEml,
  waitForMail,
  type Mailbox,
  type ReceivedMail,
  type WaitForMailOptions,
} from './mailbox';
export {
  FakePayPal,
  FakeRazorpay,
  type FakeDelivery,
  type FakePayPalOptions,
  type FakeRazorpayOptions,
  type RazorpayOrderEntity,
  type RazorpayPaymentEntity,
} from './payment-fakes';
