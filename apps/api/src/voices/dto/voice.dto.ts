import { ApiProperty } from '@nestjs/swagger';
import type { AudioContainer } from '@voice/audio';
import type { VoiceCharacteristics } from '@voice/voice-dsp';

/** Every container a sample may arrive in (a Record, so a new container fails the build until listed). */
const SAMPLE_FORMATS: Readonly<Record<AudioContainer, true>> = {
  wav: true,
  mp3: true,
  flac: true,
  m4a: true,
  ogg: true,
};

type Pitch = VoiceCharacteristics['pitch'];
type SpeakingRate = VoiceCharacteristics['speakingRate'];
type Spectral = VoiceCharacteristics['spectral'];

// The classes `implement` the analysis' own types, so a field added to or renamed in VoiceCharacteristics
// fails the build here until the document describes it too.

export class VoicePitchDto implements Pitch {
  @ApiProperty({ description: 'Median fundamental frequency of voiced frames (YIN, 55–500 Hz)', example: 118.4 })
  medianHz!: number;
  @ApiProperty() meanHz!: number;
  @ApiProperty({ description: '10th percentile of f0' }) p10Hz!: number;
  @ApiProperty({ description: '90th percentile of f0' }) p90Hz!: number;
  @ApiProperty({ description: 'Spread of f0 around the median, in semitones' }) stdSemitones!: number;
  @ApiProperty({ description: 'Voiced frames / active (non-silent) frames', minimum: 0, maximum: 1 })
  voicedRatio!: number;
}

export class VoiceSpeakingRateDto implements SpeakingRate {
  @ApiProperty({ description: 'Syllable nuclei per second of active speech (pauses excluded)', example: 4.6 })
  syllablesPerSecond!: number;
  @ApiProperty({ description: 'How the rate was measured' }) method!: string;
}

export class VoiceSpectralDto implements Spectral {
  @ApiProperty({ description: 'Centroid of the long-term average spectrum (active frames, 50 Hz–8 kHz)' })
  centroidHz!: number;
  @ApiProperty({ description: 'Frequency below which 85 % of the long-term energy lies' }) rolloffHz!: number;
  @ApiProperty({ description: 'Least-squares slope of the band energies against log2(frequency)' })
  tiltDbPerOctave!: number;
  @ApiProperty({
    type: [Number],
    description:
      'The long-term average spectrum: energy in 24 mel bands from 50 Hz to 8 kHz, in dB, shifted so their mean ' +
      'is 0 (a shape, not an absolute level). Band i is centred at `bandCentersHz[i]`.',
  })
  bandEnergiesDb!: number[];
  @ApiProperty({
    type: [Number],
    description: 'Centre frequency of each band of `bandEnergiesDb`, in Hz, ascending (the same for every voice)',
  })
  bandCentersHz!: number[];
}

export class VoiceCharacteristicsDto implements VoiceCharacteristics {
  @ApiProperty({ type: VoicePitchDto }) pitch!: VoicePitchDto;
  @ApiProperty({ description: 'ITU-R BS.1770 integrated loudness of the whole sample, LUFS', example: -18.2 })
  loudnessLufs!: number;
  @ApiProperty({ type: VoiceSpeakingRateDto }) speakingRate!: VoiceSpeakingRateDto;
  @ApiProperty({ type: VoiceSpectralDto }) spectral!: VoiceSpectralDto;
  @ApiProperty({
    type: [Number],
    description: 'Mean and standard deviation of MFCC 1–20 over active frames (40 values), L2-normalised',
  })
  embedding!: number[];
  @ApiProperty({ description: 'Length of the analysed audio, seconds' }) durationSeconds!: number;
  @ApiProperty({ description: 'Length of the uploaded sample, seconds (from its header)' })
  sampleDurationSeconds!: number;
  @ApiProperty({ enum: Object.keys(SAMPLE_FORMATS), description: 'Container the sample was sent in' })
  sampleFormat!: AudioContainer;
}

export class VoiceDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'Warm narrator' }) name!: string;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({ description: 'Listed under GET /api/voices/public and usable by everyone' }) isPublic!: boolean;
  @ApiProperty({ type: VoiceCharacteristicsDto, nullable: true, description: 'Measured when the sample was uploaded' })
  voiceCharacteristics!: VoiceCharacteristicsDto | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ description: 'True when the caller owns this voice (may change or delete it)' }) owned!: boolean;
}

export class VoiceListDto {
  @ApiProperty({ type: [VoiceDto] }) items!: VoiceDto[];
}
